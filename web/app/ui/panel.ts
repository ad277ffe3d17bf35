// The result panel: top-k, what the model saw, latency, fps and the status line — shown, cleared, or a friendly error.
import type { Prediction } from '../app.ts';
import { friendlyError, rawDetail, type Activity } from './messages.ts';
import { clearResults, renderSeen, renderTopK } from './results.ts';
import { Stats } from './stats.ts';

/** The elements the panel writes to. */
export interface PanelElements {
  topk: HTMLElement;
  seen: HTMLCanvasElement;
  latency: HTMLElement;
  fps: HTMLElement;
  status: HTMLElement;
}

/** Shows one source's results; clearing it makes results of classifications started earlier stale. */
export class ResultPanel {
  private readonly stats = new Stats();
  /** Bumped on every clear: a classification started under an older epoch must not be shown. */
  epoch = 0;
  constructor(private readonly el: PanelElements) {}

  /** Shows a prediction and updates the latency and fps figures. */
  show(p: Prediction): void {
    this.stats.add(p.ms, p.t);
    renderTopK(this.el.topk, p.ranked);
    renderSeen(this.el.seen, p.prepared.seen);
    this.el.latency.textContent = `${this.stats.latency.toFixed(2)} ms`;
    this.el.fps.textContent = p.source === 'camera' ? String(this.stats.fps(p.t)) : '–';
  }

  /** Refreshes fps when a camera frame held nothing to classify. */
  tick(): void {
    this.el.fps.textContent = String(this.stats.fps());
  }

  /** Forgets the shown result: top-k, what the model saw, latency, fps and any status line. */
  clear(): void {
    this.epoch++;
    clearResults(this.el.topk, this.el.seen);
    this.stats.reset();
    this.el.latency.textContent = '–';
    this.el.fps.textContent = '–';
    this.say('');
  }

  /** Shows a status line; errors are styled as such. */
  say(text: string, error = false): void {
    this.el.status.textContent = text;
    this.el.status.classList.toggle('error', error);
  }

  /** Tells the user in one sentence what went wrong and what to do; the raw error goes to the console. */
  fail(activity: Activity, e: unknown): void {
    console.error(`ondevice: ${activity} failed: ${rawDetail(e)}`, e);
    this.say(friendlyError(activity, e), true);
  }
}
