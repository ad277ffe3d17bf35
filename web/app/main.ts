// The page: wires camera, drawing pad and photo upload to the classifier and shows top-k, backend, latency and fps.
import { ClassifierApp, type Prediction } from './app.ts';
import { BACKEND_NAMES, type BackendName } from './config.ts';
import { registerServiceWorker } from './register-sw.ts';
import { Camera } from './sources/camera.ts';
import { DrawPad } from './sources/pad.ts';
import { frameFromFile } from './sources/upload.ts';
import { renderSeen, renderTopK } from './ui/results.ts';
import { Stats } from './ui/stats.ts';
import './style.css';

/** Fraction of the camera frame's shorter side where a digit is looked for (the on-screen guide). */
const DIGIT_CROP = 0.7;
const HISTORY = 1000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = {
  title: $('title'), backend: $('backend'), status: $('status'), topk: $('topk'), seen: $<HTMLCanvasElement>('seen'),
  latency: $('latency'), fps: $('fps'), video: $<HTMLVideoElement>('video'), guide: $('guide'), pad: $<HTMLCanvasElement>('pad'),
  file: $<HTMLInputElement>('file'), photo: $<HTMLImageElement>('photo'), clear: $('clear'),
};
type Mode = 'camera' | 'draw' | 'photo';

/** What tests, benchmarks and a later device hub can read from the page. */
export interface PageState {
  ready: Promise<ClassifierApp>;
  app?: ClassifierApp;
  history: { t: number; source: string; label: string; score: number; ms: number }[];
  serviceWorker?: string;
  error?: string;
}
const state: PageState = { ready: undefined as unknown as Promise<ClassifierApp>, history: [] };
(globalThis as unknown as { ondevice: PageState }).ondevice = state;

const stats = new Stats();
const camera = new Camera(el.video);
let mode: Mode = 'photo';

function show(p: Prediction) {
  stats.add(p.ms, p.t);
  renderTopK(el.topk, p.ranked);
  renderSeen(el.seen, p.prepared.seen);
  el.latency.textContent = `${stats.latency.toFixed(2)} ms`;
  el.fps.textContent = p.source === 'camera' ? String(stats.fps(p.t)) : '–';
  const top = p.ranked[0];
  state.history.push({ t: p.t, source: p.source, label: top.label, score: top.score, ms: p.ms });
  if (state.history.length > HISTORY) state.history.shift();
}

function setMode(next: Mode) {
  mode = next;
  for (const m of ['camera', 'draw', 'photo'] as const) {
    $(`view-${m}`).hidden = m !== next;
    $(`mode-${m}`).setAttribute('aria-pressed', String(m === next));
  }
  if (next !== 'camera' && camera.active) camera.stop();
  stats.reset();
  el.fps.textContent = '–';
}

function placeGuide() {
  const r = el.video.getBoundingClientRect();
  const side = Math.min(r.width, r.height) * DIGIT_CROP;
  Object.assign(el.guide.style, { width: `${side}px`, height: `${side}px` });
}

async function startCamera(app: ClassifierApp) {
  if (camera.active) return;
  setMode('camera');
  el.status.textContent = 'opening the camera…';
  try {
    await camera.start();
  } catch (e) {
    el.status.textContent = `camera: ${(e as Error).message}`;
    return;
  }
  el.status.textContent = '';
  placeGuide();
  camera.loop(async (frame) => {
    const p = await app.classify(frame, 'camera', app.config.input === 'digit' ? DIGIT_CROP : 1);
    if (p) show(p);
    else el.fps.textContent = String(stats.fps());
  });
}

function overrides() {
  const q = new URLSearchParams(location.search);
  const backends = q.get('backend')?.split(',').filter((b): b is BackendName => (BACKEND_NAMES as readonly string[]).includes(b));
  const threads = q.has('threads') ? Number(q.get('threads')) : undefined;
  return { backends: backends?.length ? backends : undefined, threads };
}

async function main() {
  el.status.textContent = 'loading the model…';
  const app = await ClassifierApp.load('config.json', overrides());
  state.app = app;
  document.title = `${app.config.name} · ondevice`;
  el.title.textContent = app.config.name;
  el.backend.textContent = app.session.backend;
  el.backend.title = app.skipped.join('\n');
  el.status.textContent = '';
  const digits = app.config.input === 'digit';
  $('mode-draw').hidden = !digits;

  let pending = false;
  const pad = new DrawPad(el.pad, async () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(async () => {
      pending = false;
      const p = await app.classify(pad.frame(), 'draw');
      if (p) show(p);
    });
  });
  el.clear.addEventListener('click', () => {
    pad.clear();
    el.topk.replaceChildren();
  });
  $('mode-draw').addEventListener('click', () => setMode('draw'));
  $('mode-photo').addEventListener('click', () => setMode('photo'));
  $('mode-camera').addEventListener('click', () => startCamera(app));
  el.file.addEventListener('change', async () => {
    const file = el.file.files?.[0];
    if (!file) return;
    el.photo.src = URL.createObjectURL(file);
    const p = await app.classify(await frameFromFile(file), 'photo');
    if (p) show(p);
    else el.status.textContent = 'no digit found in the photo';
  });
  addEventListener('resize', placeGuide);
  setMode(digits ? 'draw' : 'photo');
  return app;
}

state.ready = main();
state.ready.catch((e: Error) => {
  state.error = e.message;
  el.status.textContent = `cannot start: ${e.message}`;
});
registerServiceWorker().then((s) => {
  state.serviceWorker = s;
});
