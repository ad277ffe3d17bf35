// The page for audio tasks: microphone → AudioTaskStream (src/tasks/audio: resample, frames, features, recurrent state) → live chart.
import type { AppConfig } from './config.ts';
import type { ModelSession } from './runtime/backend.ts';
import { Microphone } from './sources/microphone.ts';
import { fetchLines, loadTask, openModel, type AppOverrides } from './tasks/load.ts';
import { AudioTaskStream, type AudioFrameResult } from '../../src/tasks/audio/stream.ts';
import { detectEvents } from '../../src/tasks/audio/events.ts';
import type { AudioTask } from '../../src/tasks/task.ts';
import { drawChart } from './ui/chart.ts';
import type { ResultPanel } from './ui/panel.ts';
import { Stats } from './ui/stats.ts';

/** What the audio page adds to `globalThis.ondevice`: every frame's time (s since listening started) and probability. */
export interface AudioPageState {
  ready: Promise<unknown>;
  app?: { session: { backend: string } };
  history: unknown[];
  last?: unknown;
}

/** Frames kept for the chart and the page state (≈ 9 minutes of 32 ms frames). */
const KEEP = 16384;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Loads the audio model and wires the microphone to it; resolves once the page is usable. */
export async function startAudioPage(config: AppConfig, state: AudioPageState, panel: ResultPanel, overrides: AppOverrides): Promise<{ session: ModelSession }> {
  const [{ task }, labels] = await Promise.all([loadTask<AudioTask>(config), config.labels ? fetchLines(config.labels) : Promise.resolve([])]);
  const { session, skipped } = await openModel(config, config.model, overrides);
  const app = { session, task };
  state.app = app;
  document.title = `${config.name} · ondevice`;
  $('title').textContent = config.name;
  $('backend').textContent = session.backend;
  $('backend').title = skipped.join('\n');
  document.body.classList.add('task', 'task-audio');
  for (const id of ['mode-camera', 'mode-photo', 'mode-draw', 'topk', 'seen-box']) $(id).hidden = true;
  for (const id of ['mode-listen', 'view-listen', 'items']) $(id).hidden = false;
  const chart = $<HTMLCanvasElement>('chart');
  const items = $('items');
  const threshold = task.threshold ?? 0.5;
  const times: number[] = [], probabilities: number[] = [];
  state.last = { times, probabilities };
  const stats = new Stats();
  const mic = new Microphone();
  let queue = Promise.resolve();
  const run = async (feeds: Parameters<ModelSession['runFeeds']>[0]) => {
    const t = performance.now();
    const out = await session.runFeeds(feeds);
    stats.add(performance.now() - t);
    return out;
  };
  const show = (results: AudioFrameResult[]) => {
    for (const r of results) {
      times.push(r.time);
      probabilities.push(r.probability);
    }
    if (times.length > KEEP) {
      times.splice(0, times.length - KEEP);
      probabilities.splice(0, probabilities.length - KEEP);
    }
    drawChart(chart, times, probabilities, threshold);
    const events = detectEvents(probabilities, { threshold, hopSeconds: task.hop / task.sampleRate, frameSeconds: task.frame / task.sampleRate, minFrames: 3, mergeGap: 3 });
    const name = labels[0] ?? 'active';
    items.replaceChildren(...events.slice(-5).map((e) => {
      const li = document.createElement('li');
      li.textContent = `${name} ${(e.start + (times[0] ?? 0)).toFixed(2)}–${(e.end + (times[0] ?? 0)).toFixed(2)} s (peak ${(e.peak * 100).toFixed(0)}%)`;
      return li;
    }));
    $('latency').textContent = `${stats.latency.toFixed(2)} ms`;
    $('fps').textContent = String(stats.fps());
    state.history.push({ t: performance.now(), source: 'microphone', frames: results.length, until: times.at(-1) });
    if (state.history.length > 1000) state.history.shift();
  };
  /** Bumped on every start and stop: results of an older listening session are dropped. */
  let generation = 0;
  /** Chunks waiting for the model: beyond MAX_PENDING (the model is slower than real time) new ones are dropped. */
  let pending = 0;
  const MAX_PENDING = 2;
  const stop = () => {
    generation++;
    mic.stop();
    $('mode-listen').setAttribute('aria-pressed', 'false');
  };
  const input = task.input ?? session.inputNames[0];
  $('mode-listen').addEventListener('click', async () => {
    if (mic.active) return stop();
    const mine = ++generation;
    times.length = 0;
    probabilities.length = 0;
    panel.say('opening the microphone…');
    let stream: AudioTaskStream | null = null;
    try {
      await mic.start((chunk, rate) => {
        if (mine !== generation || pending >= MAX_PENDING) return;
        stream ??= new AudioTaskStream(task, run, rate, input);
        const s = stream;
        pending++;
        queue = queue.then(() => (mine === generation ? s.push(chunk) : [])).then(
          (results) => { if (mine === generation) show(results); },
          (e) => { if (mine === generation) { stop(); panel.fail('classify', e); } },
        ).finally(() => { pending--; });
      });
    } catch (e) {
      stop();
      return panel.fail('microphone', e);
    }
    $('mode-listen').setAttribute('aria-pressed', 'true');
    panel.say('listening…');
  });
  drawChart(chart, times, probabilities, threshold);
  panel.say('');
  return app;
}
