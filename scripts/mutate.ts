// `npm run test:mutate`: applies deliberate bugs one at a time to a copy of the repo, runs the tests relevant to each, prints caught/missed.
// Usage: node --import tsx scripts/mutate.ts [--keep] [--all] [--no-baseline] [NAME_FILTER...]
//   --all          run every listed test file for a mutation (default: stop at the first file that catches it)
//   --no-baseline  skip the check that the listed test files pass on the unmutated copy
//   --keep         leave the copy in place (its path is printed)
// The live tree is never touched: the copy lives in a temp folder (node_modules symlinked); each mutation is a small text
// edit to one src file, restored in a finally block and on SIGINT/SIGTERM. Exit code 0 when every mutation is caught.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One deliberate bug: replace `find` (which must occur exactly once) by `replace` in `file`; `tests` should catch it. */
interface Mutation {
  name: string;
  file: string;
  find: string;
  replace: string;
  tests: string[];
}

const PARAMS = 'src/quantize/params.ts';
const METRICS = 'src/evaluate/metrics.ts';
const VERDICT = 'src/evaluate/verdict.ts';
const CONV = 'src/compile/tflite/ops/conv.ts';
const INT8 = 'src/compile/tflite/int8.ts';

export const MUTATIONS: Mutation[] = [
  // ---- the ten of the 2026-12-03 note ----
  {
    name: 'asymmetric scale ×1.05', file: PARAMS,
    find: 'const scale = Math.fround((rmax - rmin) / (qmax - qmin));',
    replace: 'const scale = Math.fround(((rmax - rmin) / (qmax - qmin)) * (symmetric ? 1 : 1.05));',
    tests: ['test/quantize/params.test.ts'],
  },
  {
    name: 'symmetric weight range ×1.05', file: PARAMS,
    find: 'const absmax = Math.max(Math.abs(rmin), Math.abs(rmax));',
    replace: 'const absmax = Math.max(Math.abs(rmin), Math.abs(rmax)) * 1.05;',
    tests: ['test/quantize/params.test.ts', 'test/compile/tflite-weights.test.ts'],
  },
  {
    name: 'PSNR with RMSE×2', file: METRICS,
    find: 'psnr: rmse === 0 ? Infinity : 20 * Math.log10(this.peak / rmse),',
    replace: 'psnr: rmse === 0 ? Infinity : 20 * Math.log10(this.peak / (2 * rmse)),',
    tests: ['test/evaluate/metrics.test.ts', 'test/evaluate/compare.test.ts', 'test/evaluate/cli-evaluate.test.ts'],
  },
  {
    name: 'last initializer loses its last byte', file: 'src/formats/onnx/write.ts',
    find: 'initializer: [...g.initializers].map(([name, t]) => tensorToProto(t.name === name ? t : { ...t, name }, ctx)),',
    replace: 'initializer: [...g.initializers].map(([name, t], i, all) => { const p = tensorToProto(t.name === name ? t : { ...t, name }, ctx); '
      + 'if (i === all.length - 1 && p.raw_data?.length) p.raw_data = p.raw_data.subarray(0, p.raw_data.length - 1); return p; }),',
    tests: ['test/formats/onnx/lossless.test.ts', 'test/formats/onnx/external-data.test.ts'],
  },
  {
    name: 'conv weight permutation swapped (OWHI)', file: CONV,
    find: 'transposeData(wf, wt.dims, [0, 2, 3, 1])',
    replace: 'transposeData(wf, wt.dims, [0, 3, 2, 1])',
    tests: ['test/compile/tflite-weights.test.ts', 'test/compile/tflite.test.ts'],
  },
  {
    name: 'minmax ignores the last batch', file: 'src/quantize/calibrate/minmax.ts',
    find: '  observe(values: Float32Array): void {\n    let { min, max } = this;',
    replace: '  private held?: Float32Array;\n\n  observe(next: Float32Array): void {\n    const values = this.held ?? new Float32Array(0);\n    this.held = next;\n    let { min, max } = this;',
    tests: ['test/quantize/calibrate.test.ts', 'test/quantize/calibrate-collectors.test.ts'],
  },
  {
    name: 'per-layer ranking reversed', file: 'src/evaluate/per-layer.ts',
    find: 'const ranking = [...result].sort((a, b) => b.addedNoise - a.addedNoise || b.drop - a.drop);',
    replace: 'const ranking = [...result].sort((a, b) => a.addedNoise - b.addedNoise || a.drop - b.drop);',
    tests: ['test/evaluate/per-layer.test.ts'],
  },
  {
    name: 'mean subtraction skipped (images)', file: 'src/data/image.ts',
    find: 'for (let v = 0; v < 256; v++) lut[v] = (v * recipe.scale - mean) / std;',
    replace: 'for (let v = 0; v < 256; v++) lut[v] = (v * recipe.scale) / std + 0 * mean;',
    tests: ['test/data/image-folder.test.ts'],
  },
  {
    name: 'mean subtraction skipped (MNIST)', file: 'src/data/mnist.ts',
    find: 'for (let p = 0; p < 256; p++) lut[p] = (p * recipe.scale - recipe.mean[0]) / recipe.std[0];',
    replace: 'for (let p = 0; p < 256; p++) lut[p] = (p * recipe.scale) / recipe.std[0];',
    tests: ['test/data/idx.test.ts', 'test/quantize/params.test.ts'],
  },
  {
    name: 'verdict gate w8a8 30 dB → 3 dB', file: VERDICT,
    find: "'w8a8': 30,",
    replace: "'w8a8': 3,",
    tests: ['test/evaluate/verdict.test.ts', 'test/evaluate/cli-evaluate.test.ts'],
  },
  // ---- more in quantize/ ----
  {
    name: 'symmetric int8 grid keeps -128', file: PARAMS,
    find: 'return symmetric && lo < 0 ? [lo + 1, hi] : [lo, hi];',
    replace: 'return [lo, hi];',
    tests: ['test/quantize/params.test.ts'],
  },
  {
    name: 'rounding half up instead of half to even', file: PARAMS,
    find: 'return f % 2 === 0 ? f : f + 1;',
    replace: 'return f + 1;',
    tests: ['test/quantize/params.test.ts'],
  },
  {
    name: 'asymmetric zero point off by one', file: PARAMS,
    find: 'clamp(roundHalfEven(qmin - rmin / scale), qmin, qmax)',
    replace: 'clamp(roundHalfEven(qmin - rmin / scale) + 1, qmin, qmax)',
    tests: ['test/quantize/params.test.ts'],
  },
  {
    name: 'per-channel slices taken by i % channels', file: PARAMS,
    find: 'const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);',
    replace: 'const channelOf = (i: number) => (axis === undefined ? 0 : i % channels);',
    tests: ['test/quantize/params.test.ts', 'test/compile/tflite-weights.test.ts'],
  },
  {
    name: 'int32 bias uses the first weight scale for every channel', file: PARAMS,
    find: 'let s = Math.fround(inputScale * weightScales[weightScales.length === 1 ? 0 : c]);',
    replace: 'let s = Math.fround(inputScale * weightScales[0]);',
    tests: ['test/quantize/params.test.ts'],
  },
  {
    name: '4-bit symmetric blocks divide by 7', file: PARAMS,
    find: 'scale = Math.fround(extreme / -8);',
    replace: 'scale = Math.fround(extreme / -7);',
    tests: ['test/quantize/params.test.ts'],
  },
  {
    name: 'QDQ weights quantized asymmetric', file: 'src/quantize/qdq.ts',
    find: 'this.settings.weightType, this.settings.symmetricWeights, usableAxis,',
    replace: 'this.settings.weightType, false, usableAxis,',
    tests: ['test/quantize/params.test.ts'],
  },
  {
    name: 'QDQ activations quantized symmetric', file: 'src/quantize/qdq.ts',
    find: 'p = computeParams(range, this.typeOf(value), false);',
    replace: 'p = computeParams(range, this.typeOf(value), true);',
    tests: ['test/quantize/params.test.ts'],
  },
  // ---- calibrate/ ----
  {
    name: 'calibration drops a short last batch', file: 'src/quantize/calibrate/calibrate.ts',
    find: 'if (fixedBatch !== undefined && n !== fixedBatch) break;',
    replace: 'if (n !== runBatch) break;',
    tests: ['test/quantize/calibrate.test.ts'],
  },
  {
    name: 'histogram grows one factor too little', file: 'src/quantize/calibrate/histogram.ts',
    find: 'const k = Math.floor(peak / this.edge) + 1;',
    replace: 'const k = Math.max(1, Math.floor(peak / this.edge));',
    tests: ['test/quantize/calibrate-collectors.test.ts'],
  },
  {
    name: 'percentile threshold one bin low', file: 'src/quantize/calibrate/percentile.ts',
    find: 'return h.clippedRange((bin + 1) * h.width);',
    replace: 'return h.clippedRange(bin * h.width);',
    tests: ['test/quantize/calibrate-collectors.test.ts'],
  },
  // ---- evaluate/ ----
  {
    name: 'SQNR over the candidate\'s power', file: METRICS,
    find: 'sqnr: this.sumErr2 === 0 ? Infinity : 10 * Math.log10(this.sumRef2 / this.sumErr2),',
    replace: 'sqnr: this.sumErr2 === 0 ? Infinity : 10 * Math.log10(this.sumCand2 / this.sumErr2),',
    tests: ['test/evaluate/metrics.test.ts'],
  },
  {
    name: 'cosine normalised by the reference twice', file: METRICS,
    find: 'const norms = Math.sqrt(this.sumRef2) * Math.sqrt(this.sumCand2);',
    replace: 'const norms = Math.sqrt(this.sumRef2) * Math.sqrt(this.sumRef2);',
    tests: ['test/evaluate/metrics.test.ts'],
  },
  {
    name: 'verdict gate fp16 45 dB → 40 dB', file: VERDICT,
    find: "'fp16': 45,",
    replace: "'fp16': 40,",
    tests: ['test/evaluate/verdict.test.ts'],
  },
  {
    name: 'verdict accuracy drop 1 → 2 points', file: VERDICT,
    find: 'maxAccuracyDrop: 1,',
    replace: 'maxAccuracyDrop: 2,',
    tests: ['test/evaluate/verdict.test.ts'],
  },
  {
    name: 'verdict judges the runtime, not the exact execution', file: VERDICT,
    find: 'return exact ? { ...candidate, accuracy: exact.accuracy, fidelity: exact.fidelity } : candidate;',
    replace: 'return candidate;',
    tests: ['test/evaluate/verdict.test.ts'],
  },
  // ---- compile/ ----
  {
    name: 'depthwise weight permutation swapped', file: CONV,
    find: 'transposeData(wf, wt.dims, [1, 2, 3, 0])',
    replace: 'transposeData(wf, wt.dims, [1, 3, 2, 0])',
    tests: ['test/compile/tflite-weights.test.ts'],
  },
  {
    name: 'FC weight columns not permuted after an NHWC flatten', file: 'src/compile/tflite/ops/gemm.ts',
    find: 'permuted[o * inF + j] = weights[o * inF + e.columns[j]];',
    replace: 'permuted[o * inF + j] = weights[o * inF + j];',
    tests: ['test/compile/tflite-weights.test.ts'],
  },
  {
    name: 'int8 conv weights quantized along the wrong axis', file: INT8,
    find: "const axis = op.op === 'DEPTHWISE_CONV_2D' ? 3 : op.op === 'CONV_2D' ? 0 : undefined;",
    replace: "const axis = op.op === 'DEPTHWISE_CONV_2D' ? 3 : op.op === 'CONV_2D' ? 3 : undefined;",
    tests: ['test/compile/tflite-weights.test.ts'],
  },
  {
    name: 'int8 bias scale from the first weight scale', file: INT8,
    find: 'const scales = bias.map((_, c) => inScale * qw.params[axis === undefined ? 0 : c].scale);',
    replace: 'const scales = bias.map(() => inScale * qw.params[0].scale);',
    tests: ['test/compile/tflite-weights.test.ts'],
  },
];

/** Outcome of running one test file. */
interface FileRun {
  file: string;
  ok: boolean;
  /** Names of the failing tests (top-level and subtests). */
  failed: string[];
  ms: number;
}

const TEST_TIMEOUT_MS = 10 * 60_000;

/** Runs one test file under node's test runner in `cwd`; failures parsed from the TAP output. */
function runTestFile(cwd: string, file: string): Promise<FileRun> {
  const start = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), TEST_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running = undefined;
      const failed = [...out.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]).filter((n) => !/# TODO\b/i.test(n) && !/# SKIP\b/i.test(n))
        .map((n) => n.replace(/\s+# .*$/, '')).filter((n) => n !== file && !n.endsWith(file));
      if (code !== 0 && failed.length === 0) failed.push(signal ? `killed (${signal})` : `exit code ${code}`);
      done({ file, ok: code === 0, failed, ms: Date.now() - start });
    });
  });
}

let running: ReturnType<typeof spawn> | undefined;
/** The file currently mutated and its original text, restored on any exit path. */
let pending: { path: string; original: string } | undefined;
let workDir: string | undefined;
let keep = false;

function restore(): void {
  if (pending) {
    writeFileSync(pending.path, pending.original);
    pending = undefined;
  }
}

function cleanup(): void {
  restore();
  if (workDir && !keep) rmSync(workDir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    running?.kill('SIGKILL');
    cleanup();
    process.stderr.write(`\nmutate: interrupted (${sig}); file restored${workDir && !keep ? ', copy removed' : ''}\n`);
    process.exit(130);
  });
}

/** A copy of the repo (no .git, dist, node_modules), node_modules symlinked to the live one. */
function copyRepo(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-mutate-'));
  const skip = new Set(['.git', 'node_modules', 'dist', 'ondevice-demo', '.tmp']);
  cpSync(root, dir, { recursive: true, filter: (src) => { const rel = relative(root, src); return rel === '' || !skip.has(rel.split(/[\\/]/)[0]); } });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function fmtMs(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  keep = args.includes('--keep');
  const all = args.includes('--all');
  const baseline = !args.includes('--no-baseline');
  const filters = args.filter((a) => !a.startsWith('--'));
  const list = MUTATIONS.filter((m) => filters.length === 0 || filters.some((f) => m.name.includes(f) || m.file.includes(f)));
  if (list.length === 0) {
    process.stderr.write('mutate: no mutation matches the filter\n');
    return 2;
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const started = Date.now();
  workDir = copyRepo(root);
  process.stdout.write(`mutate: ${list.length} mutations on a copy in ${workDir}\n`);

  // Every edit must apply to the copy exactly once, or the list is stale.
  const stale = list.filter((m) => readFileSync(join(workDir!, m.file), 'utf8').split(m.find).length !== 2);
  if (stale.length) {
    for (const m of stale) process.stderr.write(`mutate: '${m.name}': the text to replace is not in ${m.file} exactly once (the list is stale)\n`);
    return 1;
  }

  const broken = new Set<string>();
  if (baseline) {
    const files = [...new Set(list.flatMap((m) => m.tests))];
    process.stdout.write(`baseline: ${files.length} test files on the unmutated copy\n`);
    for (const f of files) {
      const r = await runTestFile(workDir, f);
      process.stdout.write(`  ${r.ok ? 'ok    ' : 'FAILED'} ${f} (${fmtMs(r.ms)})${r.ok ? '' : `: ${r.failed.join('; ')}`}\n`);
      if (!r.ok) broken.add(f);
    }
  }

  const rows: { m: Mutation; caught: boolean; by: string[]; ms: number }[] = [];
  for (const m of list) {
    const path = join(workDir, m.file);
    const original = readFileSync(path, 'utf8');
    const t0 = Date.now();
    const by: string[] = [];
    try {
      pending = { path, original };
      writeFileSync(path, original.replace(m.find, () => m.replace));
      for (const f of m.tests) {
        if (broken.has(f)) continue; // fails without the bug: it cannot tell
        const r = await runTestFile(workDir, f);
        if (!r.ok) {
          by.push(`${f.replace(/^test\//, '')}: ${r.failed.slice(0, 2).join('; ')}${r.failed.length > 2 ? ` (+${r.failed.length - 2})` : ''}`);
          if (!all) break;
        }
      }
    } finally {
      restore();
    }
    const row = { m, caught: by.length > 0, by, ms: Date.now() - t0 };
    rows.push(row);
    process.stdout.write(`${row.caught ? 'caught' : 'MISSED'} ${m.name} (${fmtMs(row.ms)})\n`);
  }

  const esc = (s: string) => s.replace(/\|/g, '\\|');
  process.stdout.write('\n| mutation | file | result | caught by |\n|---|---|---|---|\n');
  for (const r of rows) process.stdout.write(`| ${esc(r.m.name)} | ${r.m.file} | ${r.caught ? 'caught' : '**missed**'} | ${esc(r.by.join('<br>') || '—')} |\n`);
  const missed = rows.filter((r) => !r.caught).length;
  process.stdout.write(`\n${rows.length - missed} of ${rows.length} caught${broken.size ? ` (${broken.size} test file(s) failing without any bug were not used: ${[...broken].join(', ')})` : ''}; `
    + `run time ${fmtMs(Date.now() - started)}\n`);
  return missed || broken.size ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} finally {
  cleanup();
  if (keep && workDir) process.stdout.write(`copy kept in ${workDir}\n`);
}
process.exit(code);
