// Recurrent nets and control flow compiled to .tflite (LSTM/GRU unrolled, If folded by --input-value) run in LiteRT.js and match onnxruntime.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFile, compileToTflite, UnmappableOpsError, type TfliteQuantization } from '../../src/compile/compile.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { makeTensor } from '../../src/ir/tensor.ts';
import type { InputValues } from '../../src/ir/input-values.ts';
import type { DataSource } from '../../src/data/source.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor, Runtime } from '../../src/runtimes/runtime.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { mulberry32, seededFloats } from '../../src/util/random.ts';
import { loopModel } from '../passes/loop-model.ts';
import { MAX_UNROLLED_STEPS } from '../../src/compile/tflite/ops/recurrent.ts';
import { psnr } from './parity.ts';

const FIXTURES = join(PACKAGE_ROOT, 'test/fixtures/torch');
const EXAMPLES = 3;
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-rnn-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

type Feeds = Record<string, HostTensor>;

/** MNIST test image `i` as a 28-step sequence of 28-pixel rows, normalised like the fixtures' training. */
function mnistRows(i: number): HostTensor {
  const m = loadMnist('test', { limit: i + 1 });
  const data = Float32Array.from(m.images.subarray(i * 784, (i + 1) * 784), (p) => (p / 255 - 0.1307) / 0.3081);
  return { dtype: 'float32', dims: [1, 28, 28], data };
}

/** A non-zero recurrent state of `dims`, seeded. */
const state = (dims: number[], seed: number): HostTensor => ({ dtype: 'float32', dims, data: seededFloats(dims.reduce((a, b) => a * b, 1), seed, -0.8, 0.8) });

/** 512 audio samples: two seeded sines plus noise. */
function audio(seed: number): HostTensor {
  const rnd = mulberry32(seed);
  const [f1, f2] = [200 + 600 * rnd(), 1000 + 2000 * rnd()];
  const data = Float32Array.from({ length: 512 }, (_, t) => 0.5 * Math.sin(2 * Math.PI * f1 * t / 16000) + 0.2 * Math.sin(2 * Math.PI * f2 * t / 16000) + 0.05 * (rnd() * 2 - 1));
  return { dtype: 'float32', dims: [1, 512], data };
}

const bool = (v: boolean): HostTensor => ({ dtype: 'bool', dims: [], data: Uint8Array.of(v ? 1 : 0) });
const int64 = (v: number): HostTensor => ({ dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(v)) });

/** The fixed input values `fixed` as compile-time constants. */
function values(fixed: Feeds): InputValues {
  return new Map(Object.entries(fixed).map(([name, t]) => [name, makeTensor(name, t.dtype as never, t.dims, t.data as never)]));
}

/** Runs `path` on every feed set; returns each output's values concatenated over the examples. */
async function runAll(runtime: Runtime, path: string, feeds: Feeds[]): Promise<Record<string, number[]>> {
  const s = await runtime.load(path);
  try {
    const out: Record<string, number[]> = {};
    for (const f of feeds) {
      const got = await s.run(Object.fromEntries(s.inputs.map((i) => [i.name, f[i.name]])));
      for (const [name, t] of Object.entries(got)) (out[name] ??= []).push(...Array.from(t.data as Float32Array));
    }
    return out;
  } finally {
    await s.release();
  }
}

interface Case {
  label: string;
  file: string;
  /** Inputs fixed at compile time (fed to onnxruntime, absent from the .tflite). */
  fixed: Feeds;
  feeds: (i: number) => Feeds;
  /** TFLite ops the output must contain (the recurrence really unrolled, the taken branch really inlined). */
  expectOps: string[];
}

const CASES: Case[] = [
  { label: 'LSTM (state in and out)', file: 'lstm.onnx', fixed: {}, feeds: (i) => ({ x: mnistRows(i), h0: state([1, 1, 64], 10 + i), c0: state([1, 1, 64], 20 + i) }), expectOps: ['FULLY_CONNECTED', 'LOGISTIC', 'TANH'] },
  { label: '2-layer GRU', file: 'gru.onnx', fixed: {}, feeds: (i) => ({ x: mnistRows(i) }), expectOps: ['FULLY_CONNECTED', 'SUB', 'TANH'] },
  { label: 'If flag=true (LSTM head)', file: 'if.onnx', fixed: { flag: bool(true) }, feeds: (i) => ({ x: mnistRows(i) }), expectOps: ['TANH'] },
  { label: 'If flag=false (GRU head)', file: 'if.onnx', fixed: { flag: bool(false) }, feeds: (i) => ({ x: mnistRows(i) }), expectOps: ['SUB'] },
  { label: 'VAD sr=16000', file: 'vad.onnx', fixed: { sr: int64(16000) }, feeds: (i) => ({ audio: audio(30 + i), state: state([2, 1, 64], 40 + i) }), expectOps: ['CONV_2D', 'FULLY_CONNECTED'] },
  { label: 'VAD sr=8000', file: 'vad.onnx', fixed: { sr: int64(8000) }, feeds: (i) => ({ audio: audio(30 + i), state: state([2, 1, 64], 40 + i) }), expectOps: ['CONV_2D', 'STRIDED_SLICE'] },
];

/** Calibration data for a case: its feeds for examples 100… (not the evaluated ones), one example per batch. */
function calibrationOf(c: Case, count: number): DataSource {
  return {
    description: `${c.label} calibration (${count} examples)`,
    count,
    fingerprint: async () => c.label,
    async *batches() {
      for (let i = 0; i < count; i++) yield { inputs: c.feeds(100 + i) };
    },
  };
}

/** Compiles a case; returns the .tflite path, the reference outputs and the LiteRT outputs. */
async function compileAndRun(c: Case, quantize: TfliteQuantization): Promise<{ ref: Record<string, number[]>; got: Record<string, number[]>; ops: Record<string, number>; bytes: number }> {
  const file = join(FIXTURES, c.file);
  const { bytes, report } = await compileToTflite(await readModel(file), { quantize, inputValues: values(c.fixed), ...(quantize === 'w8a8' ? { calibration: calibrationOf(c, 32) } : {}) });
  const path = join(dir, `${c.label.replace(/\W+/g, '_')}-${quantize}.tflite`);
  writeFileSync(path, bytes);
  const feeds = Array.from({ length: EXAMPLES }, (_, i) => ({ ...c.feeds(i), ...c.fixed }));
  return { ref: await runAll(ortNodeRuntime, file, feeds), got: await runAll(litertRuntime, path, feeds), ops: report.ops, bytes: report.bytes };
}

for (const c of CASES) {
  test(`${c.label}: fp32 .tflite in LiteRT matches onnxruntime on every output (PSNR ≥ 60 dB)`, async (t) => {
    const { ref, got, ops, bytes } = await compileAndRun(c, 'none');
    t.diagnostic(`${bytes} bytes, ${Object.values(ops).reduce((a, b) => a + b, 0)} ops ${JSON.stringify(ops)}; PSNR ${Object.keys(ref).map((n) => `${n} ${psnr(ref[n], got[n]).toFixed(1)}`).join(', ')} dB`);
    for (const op of c.expectOps) assert.ok(ops[op], `${op} in ${JSON.stringify(ops)}`);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(ref).sort());
    for (const name of Object.keys(ref)) {
      const p = psnr(ref[name], got[name]);
      assert.ok(p >= 60, `${name}: PSNR ${p.toFixed(1)} dB`);
    }
  });
}

for (const c of [CASES[0], CASES[1], CASES[4]]) {
  test(`${c.label}: fp16 .tflite in LiteRT reaches PSNR ≥ 45 dB on every output`, async (t) => {
    const { ref, got, bytes } = await compileAndRun(c, 'fp16');
    t.diagnostic(`${bytes} bytes; PSNR ${Object.keys(ref).map((n) => `${n} ${psnr(ref[n], got[n]).toFixed(1)}`).join(', ')} dB`);
    for (const name of Object.keys(ref)) {
      const p = psnr(ref[name], got[name]);
      assert.ok(p >= 45, `${name}: PSNR ${p.toFixed(1)} dB`);
    }
  });
}

for (const c of [CASES[0], CASES[3]]) {
  test(`${c.label}: w8a8 .tflite (the recurrence a float island) in LiteRT reaches PSNR ≥ 30 dB on every output`, async (t) => {
    const { ref, got, bytes, ops } = await compileAndRun(c, 'w8a8');
    t.diagnostic(`${bytes} bytes, QUANTIZE ${ops.QUANTIZE} DEQUANTIZE ${ops.DEQUANTIZE}; PSNR ${Object.keys(ref).map((n) => `${n} ${psnr(ref[n], got[n]).toFixed(1)}`).join(', ')} dB`);
    for (const name of Object.keys(ref)) {
      const p = psnr(ref[name], got[name]);
      assert.ok(p >= 30, `${name}: PSNR ${p.toFixed(1)} dB`);
    }
  });
}

test('VAD without a value for sr: the If stays dynamic and the error says which --input-value folds it', async () => {
  await assert.rejects(compileToTflite(await readModel(join(FIXTURES, 'vad.onnx'))), (e: unknown) => {
    assert.ok(e instanceof UnmappableOpsError);
    assert.match(e.message, /If condition depends on input 'sr'; give --input-value sr=/);
    return true;
  });
});

test('compile --target onnx with input values folds the If; the written model matches the original', async () => {
  const file = join(FIXTURES, 'vad.onnx');
  const out = join(dir, 'vad-8k.onnx');
  const fixed = { sr: int64(8000) };
  const report = await compileFile(file, out, { target: 'onnx', inputValues: values(fixed) });
  assert.equal(report.ops.If, undefined, JSON.stringify(report.ops));
  const feeds = [{ audio: audio(5), state: state([2, 1, 64], 6), ...fixed }];
  const ref = await runAll(ortNodeRuntime, file, feeds);
  const got = await runAll(ortNodeRuntime, out, feeds);
  for (const name of Object.keys(ref)) assert.ok(psnr(ref[name], got[name]) >= 100, name);
});

/** A one-node ONNX LSTM/GRU/RNN model with seeded weights: X [T, B, I], optional initial states as inputs, every output. */
function recurrentModel(op: 'LSTM' | 'GRU' | 'RNN', direction: string, options: { states: boolean; bias: boolean; linearBeforeReset?: number }): { model: ReturnType<ModelBuilder['build']>; feeds: Feeds } {
  const [T, B, I, H] = [5, 2, 3, 4];
  const D = direction === 'bidirectional' ? 2 : 1;
  const gates = { LSTM: 4, GRU: 3, RNN: 1 }[op];
  const b = new ModelBuilder({ opset: 14 });
  const x = b.input('x', 'float32', [T, B, I]);
  const w = b.initializer('W', 'float32', [D, gates * H, I], seededFloats(D * gates * H * I, 1, -0.7, 0.7));
  const r = b.initializer('R', 'float32', [D, gates * H, H], seededFloats(D * gates * H * H, 2, -0.7, 0.7));
  const bias = options.bias ? b.initializer('B', 'float32', [D, 2 * gates * H], seededFloats(D * 2 * gates * H, 3, -0.5, 0.5)) : '';
  const feeds: Feeds = { x: state([T, B, I], 4) };
  const states = op === 'LSTM' ? ['h0', 'c0'] : ['h0'];
  if (options.states) for (const [i, name] of states.entries()) { b.input(name, 'float32', [D, B, H]); feeds[name] = state([D, B, H], 5 + i); }
  const inputs = [x, w, r, bias, '', ...(options.states ? states : [])];
  const outputs = op === 'LSTM' ? ['y', 'y_h', 'y_c'] : ['y', 'y_h'];
  b.node(op, inputs, { hidden_size: H, direction, ...(op === 'GRU' ? { linear_before_reset: options.linearBeforeReset ?? 0 } : {}) }, { outputs });
  for (const o of outputs) b.output(o, 'float32');
  return { model: b.build(), feeds };
}

const SYNTHETIC: [string, 'LSTM' | 'GRU' | 'RNN', string, { states: boolean; bias: boolean; linearBeforeReset?: number }][] = [
  ['bidirectional LSTM with initial states', 'LSTM', 'bidirectional', { states: true, bias: true }],
  ['reverse LSTM without states or bias', 'LSTM', 'reverse', { states: false, bias: false }],
  ['bidirectional GRU, linear_before_reset 0, initial state', 'GRU', 'bidirectional', { states: true, bias: true }],
  ['reverse GRU, linear_before_reset 1', 'GRU', 'reverse', { states: false, bias: true, linearBeforeReset: 1 }],
  ['bidirectional RNN with initial state', 'RNN', 'bidirectional', { states: true, bias: true }],
];
for (const [label, op, direction, options] of SYNTHETIC) {
  test(`${label}: Y, Y_h${op === 'LSTM' ? ', Y_c' : ''} from LiteRT match onnxruntime (PSNR ≥ 60 dB)`, async () => {
    const { model, feeds } = recurrentModel(op, direction, options);
    const file = join(dir, `${label.replace(/\W+/g, '_')}.onnx`);
    await writeModel(model, file, { format: 'onnx' });
    const { bytes } = await compileToTflite(await readModel(file));
    const path = file.replace(/\.onnx$/, '.tflite');
    writeFileSync(path, bytes);
    const ref = await runAll(ortNodeRuntime, file, [feeds]);
    const got = await runAll(litertRuntime, path, [feeds]);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(ref).sort());
    for (const name of Object.keys(ref)) {
      const p = psnr(ref[name], got[name]);
      assert.ok(p >= 60, `${name}: PSNR ${p.toFixed(1)} dB`);
    }
  });
}

test('a Loop with a constant trip count is unrolled for TFLite; LiteRT matches onnxruntime on the final and stacked values', async () => {
  const file = join(dir, 'loop.onnx');
  await writeModel(loopModel(6), file, { format: 'onnx' });
  const { bytes, report } = await compileToTflite(await readModel(file));
  assert.ok(report.passes.some((p) => p.name === 'unroll-loop' && p.nodesAfter > p.nodesBefore), JSON.stringify(report.passes));
  const path = join(dir, 'loop.tflite');
  writeFileSync(path, bytes);
  const feeds = [{ x: state([2, 3], 70) }];
  const ref = await runAll(ortNodeRuntime, file, feeds);
  const got = await runAll(litertRuntime, path, feeds);
  for (const name of Object.keys(ref)) assert.ok(psnr(ref[name], got[name]) >= 60, `${name}: PSNR ${psnr(ref[name], got[name]).toFixed(1)} dB`);
});

test('a sequence longer than MAX_UNROLLED_STEPS is one Unmappable report, not an out-of-memory unroll', async () => {
  const b = new ModelBuilder({ opset: 14 });
  const T = MAX_UNROLLED_STEPS + 1;
  const x = b.input('x', 'float32', [T, 1, 3]);
  const w = b.initializer('W', 'float32', [1, 4, 3], seededFloats(12, 1, -0.7, 0.7));
  const r = b.initializer('R', 'float32', [1, 4, 1], seededFloats(4, 2, -0.7, 0.7));
  b.node('LSTM', [x, w, r], { hidden_size: 1 }, { outputs: ['y'] });
  b.output('y', 'float32');
  await assert.rejects(compileToTflite(b.build()), (e: unknown) => e instanceof UnmappableOpsError && /4097 steps is too long to unroll/.test(e.message));
});
