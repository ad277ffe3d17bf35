// Counts a fuzz run's outcomes (per stage, distinct non-clean failures, hangs, crashes, peak RSS) and prints the summary.
import { blur, failureKey, type Outcome, type StageResult } from './classify.ts';
import { STAGES, type Stage } from './stages.ts';

/** One distinct non-clean failure (or hang, crash, memory blow-up) with its first reproducer. */
export interface Failure {
  kind: 'error' | 'hang' | 'crash' | 'memory';
  stage: string;
  name: string;
  message: string;
  where?: string;
  count: number;
  firstIndex: number;
  label: string;
  repro?: string;
}

const OUTCOMES: Outcome[] = ['ok', 'clean', 'non-clean', 'skipped'];

/** Running totals of a fuzz run. */
export class Tally {
  mutants = 0;
  readonly perSeed = new Map<string, number>();
  readonly stages = Object.fromEntries(STAGES.map((s) => [s, Object.fromEntries(OUTCOMES.map((o) => [o, 0]))])) as Record<Stage, Record<Outcome, number>>;
  readonly failures = new Map<string, Failure>();
  readonly cleanMessages = new Map<string, number>();
  cleanWithoutFile = 0;
  readonly cleanWithoutFileMessages = new Map<string, number>();
  hangs = 0;
  crashes = 0;
  peakRssKb = 0;
  peakRssIndex = -1;
  slowestStageMs = 0;
  slowestStage = '';

  /** Records a stage result; returns the failure entry when it is non-clean (new entries have no repro yet). */
  stage(index: number, label: string, stage: Stage, r: StageResult): Failure | undefined {
    this.stages[stage][r.outcome]++;
    if (r.outcome === 'clean') {
      const key = `${stage} | ${blur(r.message ?? '')}`;
      if (!r.namesFile) {
        this.cleanWithoutFile++;
        this.cleanWithoutFileMessages.set(key, (this.cleanWithoutFileMessages.get(key) ?? 0) + 1);
      }
      this.cleanMessages.set(key, (this.cleanMessages.get(key) ?? 0) + 1);
    }
    if (r.outcome !== 'non-clean') return undefined;
    return this.add(failureKey(stage, r), { kind: 'error', stage, name: r.name ?? 'Error', message: r.message ?? '', where: r.where, firstIndex: index, label });
  }

  /** Records a hang, crash or memory blow-up of the worker while it ran mutant `index`. */
  abort(kind: 'hang' | 'crash' | 'memory', index: number, label: string, stage: string, message: string, where?: string): Failure {
    if (kind === 'hang') this.hangs++;
    else this.crashes++;
    return this.add(`${kind} | ${stage} | ${message.replace(/\d+/g, 'N')}`, { kind, stage, name: kind, message, where, firstIndex: index, label });
  }

  rss(index: number, kb: number): void {
    if (kb > this.peakRssKb) {
      this.peakRssKb = kb;
      this.peakRssIndex = index;
    }
  }

  timing(stage: string, ms: number): void {
    if (ms > this.slowestStageMs) {
      this.slowestStageMs = ms;
      this.slowestStage = stage;
    }
  }

  get nonClean(): number {
    return [...this.failures.values()].filter((f) => f.kind === 'error' || f.kind === 'memory').reduce((s, f) => s + f.count, 0);
  }

  private add(key: string, f: Omit<Failure, 'count'>): Failure {
    const known = this.failures.get(key);
    if (known) {
      known.count++;
      return known;
    }
    const entry = { ...f, count: 1 };
    this.failures.set(key, entry);
    return entry;
  }

  /** The human-readable summary. */
  format(header: string): string {
    const lines = [header, `mutants: ${this.mutants} (${[...this.perSeed].map(([s, n]) => `${s} ${n}`).join(', ')})`, ''];
    lines.push(`${'stage'.padEnd(16)}${OUTCOMES.map((o) => o.padStart(11)).join('')}`);
    for (const s of STAGES) lines.push(`${s.padEnd(16)}${OUTCOMES.map((o) => String(this.stages[s][o]).padStart(11)).join('')}`);
    lines.push('');
    const errors = [...this.failures.values()].filter((f) => f.kind === 'error' || f.kind === 'memory');
    lines.push(`non-clean errors: ${this.nonClean} (${errors.length} distinct)`);
    for (const f of errors) lines.push(`  [${f.stage}] ${f.name}: ${f.message} ×${f.count}${f.where ? `\n      at ${f.where}` : ''}\n      first: mutant ${f.firstIndex} (${f.label})${f.repro ? `\n      repro: ${f.repro}` : ''}`);
    const aborts = [...this.failures.values()].filter((f) => f.kind === 'hang' || f.kind === 'crash');
    lines.push(`hangs: ${this.hangs}, worker crashes: ${this.crashes}`);
    for (const f of aborts) lines.push(`  [${f.kind} in ${f.stage}] ${f.message} ×${f.count}\n      first: mutant ${f.firstIndex} (${f.label})${f.repro ? `\n      repro: ${f.repro}` : ''}`);
    lines.push(`clean errors without a file name: ${this.cleanWithoutFile}`);
    lines.push(`slowest stage: ${this.slowestStage} ${(this.slowestStageMs / 1000).toFixed(1)} s`);
    lines.push(`peak RSS of a worker: ${(this.peakRssKb / 1024).toFixed(0)} MiB (mutant ${this.peakRssIndex})`);
    return lines.join('\n');
  }

  /** The most frequent clean messages (what the fuzzer mostly runs into); `withoutFile`: those that name no file. */
  formatClean(top = 25, withoutFile = false): string {
    const counts = withoutFile ? this.cleanWithoutFileMessages : this.cleanMessages;
    return [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, n]) => `  ${String(n).padStart(6)}  ${k.slice(0, 300)}`).join('\n');
  }
}
