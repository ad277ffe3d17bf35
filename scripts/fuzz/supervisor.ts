// Runs mutants in a worker child process and watches it: no progress for too long is a hang, too much memory a blow-up; both restart it.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StageResult } from './classify.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import type { Seed } from './seeds.ts';
import { STAGES, type Stage } from './stages.ts';

/** What happened to one mutant. */
export interface MutantRun {
  index: number;
  file?: string;
  label: string;
  results: { stage: Stage; result: StageResult; ms: number }[];
  /** Set when the worker had to be stopped or died. */
  abort?: { kind: 'hang' | 'crash' | 'memory'; stage: string; message: string; where?: string };
  maxRssKb: number;
}

/** Options of the supervisor. */
export interface SupervisorOptions {
  seeds: Seed[];
  runSeed: number;
  /** Where mutants and outputs go. */
  work: string;
  /** TMPDIR of the worker (temp models of calibration), cleared on restart. */
  tmp: string;
  hangMs: number;
  /** Resident memory at which the worker is stopped (a blow-up, not a measurement). */
  memoryCapKb: number;
}

const WORKER = join(import.meta.dirname, 'worker.ts');

/** Reads VmRSS and VmHWM (kB) of a process from /proc; zeros when unavailable. */
function procMemory(pid: number | undefined): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** One worker at a time; `run(index)` resolves when the mutant is done, or was aborted. */
export class Supervisor {
  private child: ChildProcess | undefined;
  private stderrTail = '';
  private onMessage: ((m: FromWorker) => void) | undefined;
  private onExit: ((code: number | null, signal: string | null) => void) | undefined;
  restarts = 0;

  constructor(private readonly options: SupervisorOptions) {}

  private async start(): Promise<ChildProcess> {
    for (const f of readdirSync(this.options.tmp)) if (f.startsWith('ondevice-')) rmSync(join(this.options.tmp, f), { recursive: true, force: true });
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, TMPDIR: this.options.tmp },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.stderrTail = '';
    child.stderr!.on('data', (d) => { this.stderrTail = (this.stderrTail + String(d)).slice(-4000); });
    child.on('message', (m: FromWorker) => this.onMessage?.(m));
    child.on('exit', (code, signal) => this.onExit?.(code, signal));
    await new Promise<void>((ok, fail) => {
      this.onMessage = (m) => { if (m.type === 'ready') ok(); };
      this.onExit = (code) => fail(new Error(`fuzz worker exited (${code}) before it was ready:\n${this.stderrTail}`));
      child.send({ type: 'init', seeds: this.options.seeds } satisfies ToWorker);
    });
    this.child = child;
    return child;
  }

  /** Makes and runs mutant `index`. */
  async run(index: number): Promise<MutantRun> {
    const child = this.child ?? (await this.start());
    const out: MutantRun = { index, label: `mutant ${index}`, results: [], maxRssKb: 0 };
    let last = Date.now();
    let stage = 'make';
    return new Promise<MutantRun>((resolve) => {
      const finish = (abort?: MutantRun['abort']) => {
        clearInterval(timer);
        this.onMessage = undefined;
        this.onExit = undefined;
        if (abort) {
          out.abort = abort;
          this.child = undefined;
          this.restarts++;
          child.kill('SIGKILL');
        }
        resolve(out);
      };
      const timer = setInterval(() => {
        const mem = procMemory(child.pid);
        out.maxRssKb = Math.max(out.maxRssKb, mem.hwm);
        if (mem.rss > this.options.memoryCapKb) finish({ kind: 'memory', stage, message: `worker RSS reached ${Math.round(mem.rss / 1024)} MiB` });
        else if (Date.now() - last > this.options.hangMs) finish({ kind: 'hang', stage, message: `no progress for ${this.options.hangMs / 1000} s` });
      }, 500);
      this.onMessage = (m) => {
        const now = Date.now();
        if (m.type === 'made') {
          out.file = m.file;
          out.label = m.label;
          stage = 'read';
        } else if (m.type === 'stage') {
          out.results.push({ stage: m.stage, result: m.result, ms: now - last });
          stage = STAGES[STAGES.indexOf(m.stage) + 1] ?? 'cleanup';
        } else if (m.type === 'done') {
          out.maxRssKb = Math.max(out.maxRssKb, m.maxRssKb);
          finish();
          return;
        } else if (m.type === 'crash') {
          finish({ kind: 'crash', stage, message: m.message, where: m.where });
          return;
        }
        last = now;
      };
      this.onExit = (code, signal) => finish({ kind: 'crash', stage, message: `worker exited (${signal ?? code}): ${this.stderrTail.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}` });
      child.send({ type: 'run', runSeed: this.options.runSeed, index, dir: this.options.work } satisfies ToWorker);
    });
  }

  /** Stops the worker. */
  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}
