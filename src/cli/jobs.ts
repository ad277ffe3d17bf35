// `ondevice jobs [list|show ID] [--json]`: the jobs of the running hub.
import type { Command } from 'commander';
import { findHub, HubClient } from '../hub/client.ts';
import type { JobRecord } from '../hub/queue.ts';
import { UsageError } from '../errors.ts';
import { renderTable } from '../report/table.ts';
import { action } from './action.ts';
import { positiveInt } from './options.ts';

const when = (t: number | null) => (t === null ? '–' : new Date(t).toISOString().replace('T', ' ').slice(0, 19));
const took = (j: JobRecord) => (j.finishedAt === null ? '–' : `${((j.finishedAt - j.createdAt) / 1000).toFixed(1)} s`);

/** Adds the jobs command. */
export function registerJobs(program: Command): void {
  program
    .command('jobs')
    .description('list the jobs of the running hub, or show one with its result')
    .argument('[what]', 'list (default) or show', 'list')
    .argument('[id]', 'job id (for show)')
    .option('--hub <url>', 'the hub (default: the one `ondevice hub` runs on this machine)')
    .option('--limit <n>', 'newest n jobs', positiveInt('limit'), 50)
    .option('--json', 'print JSON')
    .action(action(async (what: string, id: string | undefined, opts: { hub?: string; limit: number; json?: boolean }) => {
      if (what !== 'list' && what !== 'show') throw new UsageError(`jobs takes list or show, not '${what}'`);
      const client = new HubClient(findHub(opts.hub));
      if (what === 'show') {
        if (!id) throw new UsageError('jobs show needs a job id (see `ondevice jobs list`)');
        const job = await client.job(id);
        process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
        return;
      }
      const [jobs, devices] = await Promise.all([client.jobs({ limit: opts.limit }), client.devices()]);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ jobs, devices }, null, 2)}\n`);
        return;
      }
      const name = (d: string | null) => devices.find((x) => x.id === d)?.name ?? d ?? '–';
      process.stdout.write(`${renderTable(['job', 'kind', 'target', 'state', 'device', 'attempts', 'created', 'took'],
        jobs.map((j) => [j.id, j.kind, j.target === 'any' ? 'any' : name(j.target), j.state, name(j.deviceId), j.attempts, when(j.createdAt), took(j)]))}\n`);
      process.stdout.write(`${devices.length} device(s) paired, ${devices.filter((d) => d.connected).length} connected\n`);
    }));
}
