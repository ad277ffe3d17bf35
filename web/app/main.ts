// The page: wires camera, drawing pad and photo upload to the classifier and shows top-k, backend, latency and fps.
import { ClassifierApp, type Prediction } from './app.ts';
import { BACKEND_NAMES, type BackendName } from './config.ts';
import type { Frame } from './preprocess/frame.ts';
import { registerServiceWorker } from './register-sw.ts';
import { Camera } from './sources/camera.ts';
import { DrawPad } from './sources/pad.ts';
import { frameFromFile } from './sources/upload.ts';
import { loadConfig } from './tasks/load.ts';
import { NO_DIGIT } from './ui/messages.ts';
import { ResultPanel } from './ui/panel.ts';
import './style.css';

/** Fraction of the camera frame's shorter side where a digit is looked for (the on-screen guide). */
const DIGIT_CROP = 0.7;
const HISTORY = 1000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = {
  title: $('title'), backend: $('backend'), video: $<HTMLVideoElement>('video'), guide: $('guide'), pad: $<HTMLCanvasElement>('pad'),
  file: $<HTMLInputElement>('file'), photo: $<HTMLImageElement>('photo'), clear: $('clear'),
};
type Mode = 'camera' | 'draw' | 'photo';

/** What tests, benchmarks and a later device hub can read from the page (task pages add to it: see task-page.ts). */
export interface PageState {
  ready: Promise<unknown>;
  app?: { session: { backend: string } };
  history: unknown[];
  serviceWorker?: string;
  error?: string;
}
const state: PageState = { ready: undefined as unknown as Promise<unknown>, history: [] };
(globalThis as unknown as { ondevice: PageState }).ondevice = state;

const panel = new ResultPanel({ topk: $('topk'), seen: $<HTMLCanvasElement>('seen'), latency: $('latency'), fps: $('fps'), status: $('status') });
const camera = new Camera(el.video);
let onDraw = () => {};
const pad = new DrawPad(el.pad, () => onDraw());
let mode: Mode = 'photo';
let photoUrl = '';

function show(p: Prediction) {
  panel.show(p);
  const top = p.ranked[0];
  state.history.push({ t: p.t, source: p.source, label: top.label, score: top.score, ms: p.ms });
  if (state.history.length > HISTORY) state.history.shift();
}

/** Shows `file` as the photo (null removes it). */
function setPhoto(file: Blob | null) {
  if (photoUrl) URL.revokeObjectURL(photoUrl);
  photoUrl = file ? URL.createObjectURL(file) : '';
  if (photoUrl) el.photo.src = photoUrl;
  else el.photo.removeAttribute('src');
}

/** Switches the input source; every switch starts from a clean slate (no old result, drawing or photo). */
function setMode(next: Mode) {
  mode = next;
  for (const m of ['camera', 'draw', 'photo'] as const) {
    $(`view-${m}`).hidden = m !== next;
    $(`mode-${m}`).setAttribute('aria-pressed', String(m === next));
  }
  if (next !== 'camera' && camera.active) camera.stop();
  panel.clear();
  pad.clear();
  setPhoto(null);
  el.file.value = '';
}

/**
 * Classifies a frame and shows the result, unless the panel was cleared meanwhile (e.g. the source switched).
 * Resolves false when the frame held nothing to classify.
 */
async function classifyAndShow(app: ClassifierApp, frame: Frame, source: Mode, digitCrop = 1): Promise<boolean> {
  const at = panel.epoch;
  try {
    const p = await app.classify(frame, source, digitCrop);
    if (p && at === panel.epoch && mode === source) show(p);
    return p !== null;
  } catch (e) {
    if (at === panel.epoch) panel.fail('classify', e);
    return true;
  }
}

function placeGuide() {
  const r = el.video.getBoundingClientRect();
  const side = Math.min(r.width, r.height) * DIGIT_CROP;
  Object.assign(el.guide.style, { width: `${side}px`, height: `${side}px` });
}

let opening = false;
async function startCamera(app: ClassifierApp) {
  if (camera.active) return;
  setMode('camera');
  panel.say('opening the camera…');
  if (opening) return; // an earlier click is still opening it
  opening = true;
  try {
    await camera.start();
  } catch (e) {
    camera.stop();
    if (mode === 'camera') panel.fail('camera', e);
    return;
  } finally {
    opening = false;
  }
  if (mode !== 'camera') return camera.stop();
  panel.say('');
  placeGuide();
  camera.loop(async (frame) => {
    if (!(await classifyAndShow(app, frame, 'camera', app.config.input === 'digit' ? DIGIT_CROP : 1))) panel.tick();
  });
}

async function classifyPhoto(app: ClassifierApp, file: File) {
  panel.clear();
  const at = panel.epoch;
  setPhoto(file);
  let frame: Frame;
  try {
    frame = await frameFromFile(file);
  } catch (e) {
    if (at !== panel.epoch) return;
    setPhoto(null);
    return panel.fail('photo', e);
  }
  if (at === panel.epoch && !(await classifyAndShow(app, frame, 'photo')) && at === panel.epoch) panel.say(NO_DIGIT);
}

function overrides() {
  const q = new URLSearchParams(location.search);
  const backends = q.get('backend')?.split(',').filter((b): b is BackendName => (BACKEND_NAMES as readonly string[]).includes(b));
  const threads = q.has('threads') ? Number(q.get('threads')) : undefined;
  return { backends: backends?.length ? backends : undefined, threads };
}

async function main() {
  panel.say('loading the model…');
  const config = await loadConfig();
  if (config.task === 'audio') {
    const { startAudioPage } = await import('./audio-page.ts');
    return startAudioPage(config, state, panel, overrides());
  }
  if (config.task !== 'classify') {
    const { startTaskPage } = await import('./task-page.ts');
    return startTaskPage(config, state, panel, overrides());
  }
  const app = await ClassifierApp.open(config, overrides());
  state.app = app;
  document.title = `${app.config.name} · ondevice`;
  el.title.textContent = app.config.name;
  el.backend.textContent = app.session.backend;
  el.backend.title = app.skipped.join('\n');
  panel.say('');
  const digits = app.config.input === 'digit';
  $('mode-draw').hidden = !digits;

  let pending = false;
  onDraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      void classifyAndShow(app, pad.frame(), 'draw');
    });
  };
  el.clear.addEventListener('click', () => {
    pad.clear();
    panel.clear();
  });
  $('mode-draw').addEventListener('click', () => setMode('draw'));
  $('mode-photo').addEventListener('click', () => setMode('photo'));
  $('mode-camera').addEventListener('click', () => startCamera(app));
  el.file.addEventListener('change', () => {
    const file = el.file.files?.[0];
    if (file) void classifyPhoto(app, file);
  });
  addEventListener('resize', placeGuide);
  setMode(digits ? 'draw' : 'photo');
  return app;
}

state.ready = main();
state.ready.catch((e: Error) => {
  state.error = e.message;
  panel.fail('load', e);
});
registerServiceWorker().then((s) => {
  state.serviceWorker = s;
});
