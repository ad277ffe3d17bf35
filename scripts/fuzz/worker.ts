// The fuzz worker (a child process): makes each mutant it is sent, runs the stages, and reports every result and its peak RSS.
import { rmSync } from 'node:fs';
import { makeMutant } from './mutant.ts';
import type { Seed } from './seeds.ts';
import { runStages } from './stages.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const send = (m: FromWorker) => process.send!(m);
const maxRssKb = () => process.resourceUsage().maxRSS;

let seeds: Seed[] = [];
let current = -1;

for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    send({ type: 'crash', index: current, message: `${event}: ${err.name}: ${err.message.split('\n')[0]}`, where: err.stack?.split('\n')[1]?.trim() });
    process.exit(70);
  });
}

process.on('message', async (m: ToWorker) => {
  if (m.type === 'init') {
    seeds = m.seeds;
    send({ type: 'ready' });
    return;
  }
  current = m.index;
  const mutant = makeMutant(seeds, m.runSeed, m.index, m.dir);
  send({ type: 'made', index: m.index, file: mutant.file, label: mutant.label });
  let keep = false;
  await runStages(mutant, m.dir, (stage, result) => {
    keep ||= result.outcome === 'non-clean';
    send({ type: 'stage', index: m.index, stage, result });
  });
  // A mutant with a non-clean result stays for the parent to keep as the reproducer.
  if (!keep) rmSync(mutant.file, { force: true });
  send({ type: 'done', index: m.index, maxRssKb: maxRssKb() });
});
