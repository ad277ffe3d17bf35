// dequantize: pre-quantized ONNX (int8-dynamic, QDQ, onnxruntime's QLinear ops, MatMulNBits) back to float ops that run and stay close to the float model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';
import { tensorFloats } from '../../src/ir/tensor.ts';
import { assertValid } from '../../src/ir/verify.ts';
import { dequantizeModel, describeDequantize, passByName, preQuantizedOps, runPasses, type DequantizeOutcome } from '../../src/passes/index.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { quantizeWeight } from '../../src/quantize/params.ts';
import { randomSource } from '../../src/data/random.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { seededFloats } from '../../src/util/random.ts';
import { cloneModel, runModel } from './helpers.ts';
import { CLS_SUBJECT, LENET_SUBJECT, opHistogram, ortOptimized, psnr, quantized, runOn, type Subject } from './dequantize-fixtures.ts';

const floatOutputs = new Map<Subject, Promise<Float32Array>>([LENET_SUBJECT, CLS_SUBJECT].map((s) => [s, runOn(s.file, s)]));

/** Dequantizes, checks the result verifies and holds no quantization op; returns the outcome and the PSNR against the float model. */
async function dequantizeAndMeasure(model: Model, subject: Subject): Promise<{ outcome: DequantizeOutcome; psnr: number; out: Float32Array }> {
  const outcome = dequantizeModel(model);
  assertValid(model);
  assert.deepEqual(outcome.left, [], `left: ${JSON.stringify(outcome.left)} ${JSON.stringify(outcome.skipped.slice(0, 3))}`);
  assert.deepEqual(preQuantizedOps(model), []);
  const out = await runOn(model, subject);
  return { outcome, psnr: psnr(await floatOutputs.get(subject)!, out), out };
}

/** Number of `op` nodes in a model. */
const count = (model: Model, op: string) => model.graph.nodes.filter((n) => n.op === op).length;

const DYNAMIC_CASES: [Subject, string, boolean, number][] = [
  // Floors a little under the measured PSNR against the float model (56.5, 57.9, 37.0 dB): int8 weights, float activations.
  [LENET_SUBJECT, 'symmetric', true, 55], [LENET_SUBJECT, 'asymmetric (per-channel zero points)', false, 56], [CLS_SUBJECT, 'symmetric', true, 35],
];
for (const [subject, how, symmetric, floor] of DYNAMIC_CASES) {
  test(`${subject.label} int8-dynamic, ${how}: ConvInteger/DynamicQuantizeMatMul become Conv/MatMul with the int8 weights, close to the float model`, async () => {
    const model = await quantized(subject, 'int8-dynamic', { symmetric });
    const convIntegers = count(model, 'ConvInteger'), dynamicMatMuls = count(model, 'DynamicQuantizeMatMul');
    const { outcome, psnr: db } = await dequantizeAndMeasure(model, subject);
    console.log(`${subject.label} int8-dynamic ${how}: ${JSON.stringify(outcome.counts)}, PSNR vs float ${db.toFixed(2)} dB`);
    assert.equal(outcome.counts.ConvInteger, convIntegers);
    assert.equal(outcome.counts.DynamicQuantizeMatMul, dynamicMatMuls);
    assert.equal(count(model, 'Conv'), convIntegers);
    assert.ok(db >= floor, `PSNR ${db} dB`);
  });
}

// Floors a little under the measured PSNR against the float model (48.9, 29.2 dB; the w8a8 models themselves: 37.1, 21.1):
// int8 weights, float activations clamped where the grid clamped at 0 (cls is fed noise beyond its 8 calibration examples).
for (const [subject, floor] of [[LENET_SUBJECT, 47], [CLS_SUBJECT, 28]] as const) {
  test(`${subject.label} w8a8 QDQ: weights fold to float32, activation Q→DQ pairs go, close to the float model`, async () => {
    const model = await quantized(subject, 'w8a8');
    const qs = count(model, 'QuantizeLinear'), dqs = count(model, 'DequantizeLinear');
    const { outcome, psnr: db } = await dequantizeAndMeasure(model, subject);
    console.log(`${subject.label} w8a8: ${qs} Q, ${dqs} DQ → ${JSON.stringify(outcome.counts)}, PSNR vs float ${db.toFixed(2)} dB`);
    const constants = outcome.counts['constant DequantizeLinear folded'] ?? 0;
    const pairs = outcome.counts['activation Q→DQ pair removed'] ?? 0;
    assert.ok(constants > 0 && pairs > 0);
    // Every DQ was either folded into a float32 constant or removed with its Q (after moving above an op on integers).
    assert.equal(constants + pairs, dqs);
    assert.ok(pairs >= qs, 'every Q met at least one DQ');
    assert.ok(db >= floor, `PSNR ${db} dB`);
  });
}

test('onnxruntime\'s QLinearConv/QLinearGlobalAveragePool (cls) and QGemm (LeNet) dequantize to the same float model as their QDQ source', async () => {
  for (const [subject, level] of [[CLS_SUBJECT, 'extended'], [LENET_SUBJECT, 'extended'], [CLS_SUBJECT, 'all']] as const) {
    const qdq = await quantized(subject, 'w8a8');
    const optimized = await ortOptimized(qdq, level);
    const fused = Object.fromEntries(Object.entries(opHistogram(optimized)).filter(([op]) => op.startsWith('QLinear') || op === 'QGemm'));
    assert.ok(Object.keys(fused).length > 0, `onnxruntime made no QLinear op: ${JSON.stringify(opHistogram(optimized))}`);
    const fromQdq = await dequantizeAndMeasure(qdq, subject);
    const fromQLinear = await dequantizeAndMeasure(optimized, subject);
    const agreement = psnr(fromQdq.out, fromQLinear.out);
    console.log(`${subject.label} ${level}: ${JSON.stringify(fused)} → ${JSON.stringify(fromQLinear.outcome.counts)}; PSNR vs float ${fromQLinear.psnr.toFixed(2)} dB, vs dequantized QDQ ${agreement.toFixed(2)} dB`);
    for (const [op, n] of Object.entries(fused)) assert.equal(fromQLinear.outcome.counts[op], n, op);
    // Same float ops, same float32 weights and biases: the outputs agree to float rounding (measured: identical).
    assert.ok(agreement >= 100, `dequantized QLinear vs dequantized QDQ: ${agreement} dB`);
  }
});

/** A small float net with Sigmoid, Mul, Add, LeakyRelu, Concat, GlobalAveragePool and MatMul, so every QLinear op appears. */
function elementwiseNet(): Model {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 4, 8, 8]);
  const c1 = b.op('Conv', [x, b.initializer('w1', 'float32', [8, 4, 3, 3], seededFloats(288, 1, -0.5, 0.5)), b.initializer('b1', 'float32', [8], seededFloats(8, 2))], { pads: [1, 1, 1, 1] });
  const c2 = b.op('Conv', [x, b.initializer('w2', 'float32', [8, 4, 1, 1], seededFloats(32, 3, -0.5, 0.5))]);
  const sum = b.op('Add', [b.op('Mul', [c1, b.op('Sigmoid', [c1])]), c2]);
  const cat = b.op('Concat', [b.op('LeakyRelu', [sum], { alpha: 0.1 }), c2], { axis: 1 });
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [cat])]);
  b.op('MatMul', [pooled, b.initializer('wm', 'float32', [16, 5], seededFloats(80, 4, -0.5, 0.5))], {}, { output: 'y' });
  b.output('y');
  return b.build();
}

test('uint8 QDQ through onnxruntime: QLinearConv/Sigmoid/Mul/Add/LeakyRelu/Concat/GlobalAveragePool/MatMul expand and match the QDQ dequantized', async () => {
  const subject: Subject = { label: 'net', file: '', input: 'x', dims: [1, 4, 8, 8], data: seededFloats(256, 9, -1, 1) };
  const float = elementwiseNet();
  const ref = await runOn(float, subject);
  const source = randomSource([{ name: 'x', dtype: 'float32', shape: [null, 4, 8, 8] }], { count: 16, seed: 3, range: [-1, 1] });
  const { model: qdq } = await quantizeModel(cloneModel(float), { scheme: 'w8a8', activationType: 'uint8', calibration: { source } });
  const optimized = await ortOptimized(qdq, 'extended');
  const fused = Object.fromEntries(Object.entries(opHistogram(optimized)).filter(([op]) => op.startsWith('QLinear')));
  for (const op of ['QLinearConv', 'QLinearSigmoid', 'QLinearMul', 'QLinearAdd', 'QLinearLeakyRelu', 'QLinearConcat', 'QLinearGlobalAveragePool', 'QLinearMatMul']) assert.ok(fused[op], `onnxruntime made no ${op}: ${JSON.stringify(fused)}`);
  const outcome = dequantizeModel(optimized);
  assert.deepEqual(outcome.left, [], JSON.stringify(outcome.skipped));
  for (const [op, n] of Object.entries(fused)) assert.equal(outcome.counts[op], n, op);
  dequantizeModel(qdq);
  const [a, b] = [await runOn(optimized, subject), await runOn(qdq, subject)];
  console.log(`QLinear net: ${JSON.stringify(outcome.counts)}; PSNR vs float ${psnr(ref, a).toFixed(2)} dB, vs dequantized QDQ ${psnr(b, a).toFixed(2)} dB`);
  assert.ok(psnr(b, a) >= 100, `vs dequantized QDQ: ${psnr(b, a)} dB`);
  assert.ok(psnr(ref, a) >= 54, `vs float: ${psnr(ref, a)} dB (measured 55.9)`);
});

/** Seeded integers in [lo, hi] as the typed array of `dtype` (4-bit types packed two per byte, low nibble first). */
function seededInts(dtype: string, count: number, lo: number, hi: number, seed: number): Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array {
  const raw = Array.from(seededFloats(count, seed, 0, 1), (u) => lo + Math.floor(u * (hi - lo + 1)));
  if (dtype === 'int4' || dtype === 'uint4') {
    const packed = new Uint8Array(Math.ceil(count / 2));
    raw.forEach((v, i) => { packed[i >> 1] |= (v & 0xf) << ((i & 1) * 4); });
    return packed;
  }
  const Ctor = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array }[dtype]!;
  return Ctor.from(raw);
}

const LIMITS: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int4: [-8, 7], uint4: [0, 15], int32: [-100000, 100000] };

/** DequantizeLinear cases: dtype, dims, scale dims, axis, block size. */
const DQ_CASES: [string, number[], number[], number | undefined, number | undefined][] = [
  ['int8', [4, 6], [], undefined, undefined],
  ['uint8', [4, 6], [4], 0, undefined],
  ['int16', [4, 6], [6], 1, undefined],
  ['uint16', [3, 5], [], undefined, undefined],
  ['int8', [2, 3, 4], [4], -1, undefined],
  ['int4', [4, 6], [4, 2], 1, 4],
  ['uint4', [5], [], undefined, undefined],
  ['uint4', [6, 4], [2, 4], 0, 3],
  ['int32', [6], [6], 0, undefined],
];

test('constant DequantizeLinear (and QuantizeLinear of fake-quantized weights) fold to exactly what onnxruntime computes: 4- to 32-bit, per tensor, per axis, blocked', async () => {
  const b = new ModelBuilder({ opset: 21 });
  const feeds: Record<string, { dims: number[]; data: Float32Array }> = {};
  DQ_CASES.forEach(([dtype, dims, scaleDims, axis, blockSize], i) => {
    const n = dims.reduce((a, c) => a * c, 1), ns = scaleDims.reduce((a, c) => a * c, 1);
    const [lo, hi] = LIMITS[dtype];
    const q = b.initializer(`q${i}`, dtype as never, dims, seededInts(dtype, n, lo, hi, 10 + i));
    const s = b.initializer(`s${i}`, 'float32', scaleDims, seededFloats(ns, 30 + i, 0.001, 0.1));
    const zp = dtype === 'int32' ? [] : [b.initializer(`z${i}`, dtype as never, scaleDims, seededInts(dtype, ns, lo, hi, 50 + i))];
    const deq = b.op('DequantizeLinear', [q, s, ...zp], { ...(axis !== undefined ? { axis } : {}), ...(blockSize ? { block_size: blockSize } : {}) });
    const x = b.input(`x${i}`, 'float32', dims);
    feeds[x] = { dims, data: seededFloats(n, 70 + i) };
    b.op('Add', [x, deq], {}, { output: `y${i}` });
    b.output(`y${i}`);
  });
  // Fake-quantized float weights (Q → DQ on a constant, as QAT exports write them) keep their rounding.
  const FAKE_CASES: [string, number[], number[], number | undefined][] = [['int8', [5, 6], [5], 0], ['uint8', [4, 6], [], undefined], ['int16', [3, 4], [4], 1]];
  FAKE_CASES.forEach(([dtype, dims, scaleDims, axis], i) => {
    const n = dims.reduce((a, c) => a * c, 1), ns = scaleDims.reduce((a, c) => a * c, 1);
    const w = b.initializer(`w${i}`, 'float32', dims, seededFloats(n, 90 + i, -3, 3));
    const s = b.initializer(`ws${i}`, 'float32', scaleDims, seededFloats(ns, 110 + i, 0.01, 0.03));
    const z = b.initializer(`wz${i}`, dtype as never, scaleDims, seededInts(dtype, ns, -3, 3, 130 + i).map((v) => (dtype.startsWith('u') ? v + 128 : v)) as never);
    const attrs = axis !== undefined ? { axis } : {};
    const deq = b.op('DequantizeLinear', [b.op('QuantizeLinear', [w, s, z], attrs), s, z], attrs);
    const x = b.input(`fx${i}`, 'float32', dims);
    feeds[x] = { dims, data: seededFloats(n, 150 + i) };
    b.op('Add', [x, deq], {}, { output: `fy${i}` });
    b.output(`fy${i}`);
  });
  const model = b.build();
  const expected = await runModel(model, feeds);
  const outcome = dequantizeModel(model);
  assert.equal(outcome.counts['constant QuantizeLinear folded'], FAKE_CASES.length);
  assert.equal(outcome.counts['constant DequantizeLinear folded'], DQ_CASES.length + FAKE_CASES.length);
  assert.equal(outcome.counts['activation Q→DQ pair removed'], undefined);
  assert.deepEqual(outcome.left, []);
  for (const [k] of DQ_CASES.entries()) assert.equal(model.graph.initializers.get(model.graph.nodes[k].inputs[1])?.dtype, 'float32');
  const got = await runModel(model, feeds);
  for (const [name, values] of Object.entries(expected)) assert.deepEqual([...got[name] as Float32Array], [...values as Float32Array], name);
});

/** x[.., K] → DynamicQuantizeLinear → MatMulInteger(int8 W) → Cast → Mul(Mul(x_scale, w_scale)) → Add(bias): onnxruntime's dynamic quantizer's chain. */
function matMulIntegerChain(weights: Float32Array, k: number, n: number, perColumn: boolean, symmetric: boolean): Model {
  const q = quantizeWeight(weights, [k, n], 'int8', symmetric, perColumn ? 1 : undefined);
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [3, k]);
  const [xq, xs, xz] = b.node('DynamicQuantizeLinear', [x], {}, { outputs: ['xq', 'xs', 'xz'] });
  const shape = perColumn ? [n] : [];
  const w = b.initializer('w_q', 'int8', [k, n], Int8Array.from(q.values));
  const wz = symmetric ? [] : [b.initializer('w_zp', 'int8', shape, Int8Array.from(q.params, (p) => p.zeroPoint))];
  const acc = b.op('MatMulInteger', [xq, w, xz, ...wz]);
  const accF = b.op('Cast', [acc], { to: 1 });
  const scale = b.op('Mul', [xs, b.initializer('w_scale', 'float32', shape, Float32Array.from(q.params, (p) => p.scale))]);
  const y = b.op('Mul', [accF, scale]);
  b.op('Add', [y, b.initializer('bias', 'float32', [n], seededFloats(n, 99))], {}, { output: 'y' });
  b.output('y');
  return b.build();
}

/** Round half to even, as ONNX's quantizers do. */
const rne = (v: number): number => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));

/**
 * What {@link matMulIntegerChain} computes, in exact integer arithmetic: DynamicQuantizeLinear of x (uint8, ONNX's
 * formula), Σ (x_q − x_zp)(W_q − w_zp), then × x_scale·w_scale + bias in float32.
 */
function integerChain(x: Float32Array, weights: Float32Array, k: number, n: number, perColumn: boolean, symmetric: boolean): Float32Array {
  const q = quantizeWeight(weights, [k, n], 'int8', symmetric, perColumn ? 1 : undefined);
  const bias = seededFloats(n, 99);
  let lo = 0, hi = 0;
  for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const xs = Math.fround((hi - lo) / 255);
  const xz = Math.min(255, Math.max(0, rne(-lo / xs)));
  const xq = Array.from(x, (v) => Math.min(255, Math.max(0, rne(Math.fround(v / xs)) + xz)));
  const rows = x.length / k;
  const y = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let c = 0; c < n; c++) {
    const p = q.params[perColumn ? c : 0];
    let acc = 0;
    for (let i = 0; i < k; i++) acc += (xq[r * k + i] - xz) * (q.values[i * n + c] - (symmetric ? 0 : p.zeroPoint));
    y[r * n + c] = Math.fround(Math.fround(acc * Math.fround(xs * p.scale)) + bias[c]);
  }
  return y;
}

test('MatMulInteger chains (per tensor, per column with zero points) become MatMul with (W_q − zp) × scale', async () => {
  const k = 24, n = 7;
  const weights = seededFloats(k * n, 4, -1, 1);
  for (const [perColumn, symmetric] of [[false, true], [true, false]] as const) {
    const model = matMulIntegerChain(weights, k, n, perColumn, symmetric);
    // The integer chain computed exactly here, not by onnxruntime: its U8S8 MatMulInteger kernels saturate on AVX2-only
    // CPUs (26.6 dB there, 54.6 with VNNI), and this test must give the same answer on both.
    const quantizedOut = { y: integerChain(seededFloats(3 * k, 5), weights, k, n, perColumn, symmetric) };
    const outcome = dequantizeModel(model);
    assert.deepEqual(outcome.counts, { MatMulInteger: 1 });
    assert.deepEqual(model.graph.nodes.map((x) => x.op), ['MatMul', 'Add']);
    // The folded weight is the int8 grid back in float: within half a step of the float weight, per column.
    const folded = tensorFloats(model.graph.initializers.get(model.graph.nodes[0].inputs[1])!);
    const q = quantizeWeight(weights, [k, n], 'int8', symmetric, perColumn ? 1 : undefined);
    for (let i = 0; i < folded.length; i++) {
      const p = q.params[perColumn ? i % n : 0];
      assert.equal(folded[i], Math.fround((q.values[i] - p.zeroPoint) * p.scale), `element ${i}`);
    }
    const out = await runModel(model, { x: { dims: [3, k], data: seededFloats(3 * k, 5) } });
    const db = psnr(quantizedOut.y as Float32Array, out.y as Float32Array);
    console.log(`MatMulInteger ${perColumn ? 'per column' : 'per tensor'}: PSNR vs the integer chain ${db.toFixed(2)} dB`);
    // Only the activation's run-time rounding differs (measured 54.6 dB both ways).
    assert.ok(db >= 53, `${db} dB`);
  }
});

test('MatMulNBits (w4 LeNet) becomes MatMul with the 4-bit weights; outputs match onnxruntime\'s MatMulNBits', async () => {
  for (const symmetric of [true, false]) {
    const model = await quantized(LENET_SUBJECT, 'w4', { symmetric });
    const nbits = count(model, 'MatMulNBits');
    const reference = await runOn(model, LENET_SUBJECT);
    const { outcome, out } = await dequantizeAndMeasure(model, LENET_SUBJECT);
    const db = psnr(reference, out);
    console.log(`MatMulNBits ${symmetric ? 'symmetric' : 'with zero points'}: ${JSON.stringify(outcome.counts)}, PSNR vs MatMulNBits ${db.toFixed(2)} dB`);
    assert.equal(outcome.counts.MatMulNBits, nbits);
    assert.ok(nbits >= 3);
    // The same 4-bit weights in float: only summation order differs (measured 146.9 and 147.8 dB).
    assert.ok(db >= 120, `${db} dB`);
  }
});

test('the pass is registered as dequantize and logs its counts; a float model is left alone', async () => {
  const model = await quantized(LENET_SUBJECT, 'int8-dynamic');
  const log: string[] = [];
  await runPasses(model, [passByName('dequantize')], { log: (m) => log.push(m), verify: true });
  assert.deepEqual(log, ['dequantize: ConvInteger ×2, DynamicQuantizeMatMul ×3']);
  const float = await readModel(LENET_SUBJECT.file);
  const before = float.graph.nodes.length;
  assert.deepEqual(dequantizeModel(float), { found: [], counts: {}, left: [], skipped: [] });
  assert.equal(float.graph.nodes.length, before);
});

test('what cannot be rewritten stays and is listed: a quantized graph output, a ConvInteger fed by a static QuantizeLinear', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 2, 4, 4]);
  const s = b.initializer('s', 'float32', [], new Float32Array([0.05]));
  const z = b.initializer('z', 'uint8', [], new Uint8Array([128]));
  const xq = b.op('QuantizeLinear', [x, s, z]);
  b.op('ConvInteger', [xq, b.initializer('w', 'uint8', [3, 2, 1, 1], new Uint8Array([1, 2, 3, 4, 5, 6])), z], {}, { name: 'ci', output: 'acc' });
  const w = b.op('DequantizeLinear', [b.initializer('wq', 'int8', [3, 2, 1, 1], new Int8Array([1, -2, 3, -4, 5, -6])), s]);
  b.op('QuantizeLinear', [b.op('Conv', [x, w]), s, z], {}, { output: 'yq' });
  b.output('acc').output('yq');
  const model = b.build();
  const outcome = dequantizeModel(model);
  assert.deepEqual(outcome.counts, { 'constant DequantizeLinear folded': 1 });
  assert.deepEqual(outcome.left, [['QuantizeLinear', 2], ['ConvInteger', 1]]);
  assert.deepEqual(outcome.skipped, [{ node: 'ci', op: 'ConvInteger', reason: 'its input is not quantized by a DynamicQuantizeLinear' }]);
  assert.match(describeDequantize(outcome), /^dequantize: constant DequantizeLinear folded ×1; left: 2 QuantizeLinear, 1 ConvInteger \(ConvInteger 'ci': its input is not quantized by a DynamicQuantizeLinear\)$/);
  assertValid(model);
});
