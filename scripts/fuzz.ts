// `npm run fuzz`: mutates the repo's ONNX and TFLite models, runs each mutant through read/inspect/quantize/compile in a watched worker, reports outcomes, non-clean errors (with reproducers), hangs and peak RSS.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareSeeds } from './fuzz/seeds.ts';
import { Supervisor, type MutantRun } from './fuzz/supervisor.ts';
import { Tally, type Failure } from './fuzz/tally.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(tmpdir(), 'ondevice-fuzz-out') },
    'max-mutants': { type: 'string' },
    'hang-seconds': { type: 'string', default: '60' },
    'memory-cap-mib': { type: 'string', default: '6144' },
    small: { type: 'boolean', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const minutes = Number(args.minutes);
const runSeed = Number(args.seed) >>> 0;
const maxMutants = args['max-mutants'] ? Number(args['max-mutants']) : Infinity;
if (args.help || !(minutes > 0) || !Number.isFinite(Number(args.seed))) {
  (args.help ? console.log : console.error)('usage: npm run fuzz -- [--minutes N] [--seed S] [--out DIR] [--max-mutants N] [--hang-seconds N] [--memory-cap-mib N] [--small] [--verbose]');
  process.exit(args.help ? 0 : 2);
}

const out = resolve(args.out!);
const work = join(out, 'work');
const tmp = join(out, 'tmp');
const repro = join(out, 'repro');
rmSync(work, { recursive: true, force: true });
rmSync(repro, { recursive: true, force: true });
for (const d of [work, tmp, repro]) mkdirSync(d, { recursive: true });

const seeds = await prepareSeeds(join(out, 'seeds'), args.small!);
const tally = new Tally();
const supervisor = new Supervisor({
  seeds, runSeed, work, tmp,
  hangMs: Number(args['hang-seconds']) * 1000,
  memoryCapKb: Number(args['memory-cap-mib']) * 1024,
});

/** Keeps the mutant file as the reproducer of a new failure (with a note of how it was made), then removes it. */
function keepRepro(run: MutantRun, failures: Failure[]): void {
  if (!run.file) return;
  for (const f of failures) {
    if (f.repro || f.firstIndex !== run.index) continue;
    f.repro = join(repro, `${String(tally.failures.size).padStart(3, '0')}-${f.kind}-${f.stage}${extname(run.file)}`);
    try {
      copyFileSync(run.file, f.repro);
      writeFileSync(`${f.repro}.txt`, `${f.kind} in ${f.stage}: ${f.name}: ${f.message}\n${f.where ? `at ${f.where}\n` : ''}mutant ${run.index} of seed ${runSeed}: ${run.label}\n`);
    } catch {
      f.repro = undefined;
    }
  }
  rmSync(run.file, { force: true });
}

const started = Date.now();
const deadline = started + minutes * 60_000;
let lastLine = started;
let interrupted = false;
process.on('SIGINT', () => { interrupted = true; });

for (let index = 0; Date.now() < deadline && index < maxMutants && !interrupted; index++) {
  const run = await supervisor.run(index);
  if (interrupted && run.abort) break; // the worker got the same Ctrl-C: not a finding
  tally.mutants++;
  const seedName = run.label.split(':')[0];
  tally.perSeed.set(seedName, (tally.perSeed.get(seedName) ?? 0) + 1);
  const failures: Failure[] = [];
  for (const { stage, result, ms } of run.results) {
    tally.timing(stage, ms);
    const f = tally.stage(index, run.label, stage, result);
    if (f) failures.push(f);
  }
  if (run.abort) failures.push(tally.abort(run.abort.kind, index, run.label, run.abort.stage, run.abort.message, run.abort.where));
  tally.rss(index, run.maxRssKb);
  keepRepro(run, failures);
  if (args.verbose) for (const f of failures) console.error(`mutant ${index}: ${f.kind} [${f.stage}] ${f.name}: ${f.message} (${run.label})`);
  if (Date.now() - lastLine > 30_000) {
    lastLine = Date.now();
    console.error(`fuzz: ${((lastLine - started) / 60_000).toFixed(1)} min, ${tally.mutants} mutants, ${tally.nonClean} non-clean, ${tally.hangs} hangs, peak RSS ${(tally.peakRssKb / 1024).toFixed(0)} MiB`);
  }
}
supervisor.stop();

const elapsed = (Date.now() - started) / 60_000;
const summary = tally.format(`fuzz: seed ${runSeed}, ${elapsed.toFixed(1)} min, seeds ${seeds.map((s) => s.name).join(', ')}; output in ${out}`);
console.log(summary);
if (args.verbose) console.log(`\nmost frequent clean errors:\n${tally.formatClean()}`);
writeFileSync(join(out, 'summary.txt'), `${summary}\n\nmost frequent clean errors:\n${tally.formatClean(60)}\n\nclean errors that name no file:\n${tally.formatClean(30, true)}\n`);
process.exitCode = tally.nonClean > 0 || tally.hangs > 0 || tally.crashes > 0 ? 1 : 0;
