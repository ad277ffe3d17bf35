// The page for detect, segment and ocr (audio has its own view): camera, photo or drawing pad → the task runner → the stage.
import type { AppConfig } from './config.ts';
import type { Frame } from './preprocess/frame.ts';
import { Camera } from './sources/camera.ts';
import { DrawPad } from './sources/pad.ts';
import { frameFromFile } from './sources/upload.ts';
import { DetectRunner } from './tasks/detect.ts';
import type { AppOverrides } from './tasks/load.ts';
import { OcrRunner } from './tasks/ocr.ts';
import type { TaskResult, TaskRunner } from './tasks/runner.ts';
import { SegmentRunner } from './tasks/segment.ts';
import type { ResultPanel } from './ui/panel.ts';
import { Stats } from './ui/stats.ts';

/** What a task page adds to `globalThis.ondevice`: each result's summary, and the last result's data (boxes, mask, text). */
export interface TaskPageState {
  ready: Promise<unknown>;
  app?: { session: { backend: string } };
  history: unknown[];
  last?: unknown;
}

/** One history entry (the page keeps the last 1,000). */
export interface TaskHistoryEntry {
  t: number;
  source: string;
  items: string[];
  ms: number;
  totalMs: number;
}

const HISTORY = 1000;
type Mode = 'camera' | 'draw' | 'photo';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function loadRunner(config: AppConfig, overrides: AppOverrides): Promise<TaskRunner> {
  switch (config.task) {
    case 'detect': return DetectRunner.load(config, overrides);
    case 'segment': return SegmentRunner.load(config, overrides);
    case 'ocr': return OcrRunner.load(config, overrides);
    default: throw new Error(`the page cannot show task '${config.task}'`);
  }
}

/** Fills the result list: one row per item. */
function renderItems(list: HTMLElement, items: readonly string[]): void {
  list.replaceChildren(...items.map((text) => {
    const li = document.createElement('li');
    li.textContent = text;
    return li;
  }));
}

/** Loads the task's models and wires the sources to them; resolves with the runner once the page is usable. */
export async function startTaskPage(config: AppConfig, state: TaskPageState, panel: ResultPanel, overrides: AppOverrides): Promise<TaskRunner> {
  const runner = await loadRunner(config, overrides);
  state.app = runner;
  document.title = `${config.name} · ondevice`;
  $('title').textContent = config.name;
  $('backend').textContent = runner.session.backend;
  $('backend').title = runner.skipped.join('\n');
  document.body.classList.add('task', `task-${config.task}`);
  for (const id of ['topk', 'seen-box']) $(id).hidden = true;
  const items = $('items');
  items.hidden = false;
  $('view-stage').hidden = false;
  const stage = $<HTMLCanvasElement>('stage').getContext('2d', { willReadFrequently: true })!;
  const stats = new Stats();
  const camera = new Camera($<HTMLVideoElement>('video'));
  const file = $<HTMLInputElement>('file');
  let mode: Mode = 'photo';
  let epoch = 0;
  panel.say('');

  const show = (r: TaskResult, frame: Frame) => {
    r.draw(stage, frame);
    renderItems(items, r.items.length ? r.items : ['nothing found']);
    stats.add(r.ms, r.t);
    $('latency').textContent = `${stats.latency.toFixed(1)} ms`;
    $('fps').textContent = r.source === 'camera' ? String(stats.fps(r.t)) : '–';
    state.last = r.data;
    state.history.push({ t: r.t, source: r.source, items: r.items, ms: r.ms, totalMs: r.totalMs } satisfies TaskHistoryEntry);
    if (state.history.length > HISTORY) state.history.shift();
  };
  // One frame at a time on the task's sessions: a photo chosen while a camera frame is still running waits for it.
  let chain: Promise<void> = Promise.resolve();
  const run = (frame: Frame, source: Mode): Promise<void> => {
    const at = epoch;
    chain = chain.then(async () => {
      if (at !== epoch) return;
      try {
        const r = await runner.process(frame, source);
        if (r && at === epoch && mode === source) show(r, frame);
      } catch (e) {
        if (at === epoch) panel.fail('classify', e);
      }
    });
    return chain;
  };
  /** The decoded photo (an ImageBitmap holds its pixels until closed). */
  let photo: ImageBitmap | null = null;
  const dropPhoto = () => {
    photo?.close();
    photo = null;
  };

  const pad = new DrawPad($<HTMLCanvasElement>('pad'), (final) => {
    if (final) void run(pad.frame(), 'draw');
  }, 0.02);
  const setMode = (next: Mode) => {
    mode = next;
    epoch++;
    for (const m of ['camera', 'draw', 'photo'] as const) {
      $(`view-${m}`).hidden = m !== next;
      $(`mode-${m}`).setAttribute('aria-pressed', String(m === next));
    }
    if (next !== 'camera' && camera.active) camera.stop();
    stats.reset();
    items.replaceChildren();
    stage.clearRect(0, 0, stage.canvas.width, stage.canvas.height);
    pad.clear();
    file.value = '';
    dropPhoto();
    panel.say('');
  };

  $('mode-draw').hidden = config.task !== 'ocr';
  $('mode-draw').addEventListener('click', () => setMode('draw'));
  $('clear').addEventListener('click', () => {
    pad.clear();
    items.replaceChildren();
  });
  $('mode-photo').addEventListener('click', () => setMode('photo'));
  $('mode-camera').addEventListener('click', async () => {
    if (camera.active) return;
    setMode('camera');
    panel.say('opening the camera…');
    try {
      await camera.start();
    } catch (e) {
      camera.stop();
      return panel.fail('camera', e);
    }
    panel.say('');
    camera.loop((frame) => run(frame, 'camera'));
  });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    epoch++;
    let frame: Frame;
    try {
      frame = await frameFromFile(chosen);
    } catch (e) {
      return panel.fail('photo', e);
    }
    dropPhoto();
    photo = frame.source as ImageBitmap;
    await run(frame, 'photo');
  });
  setMode('photo');
  return runner;
}
