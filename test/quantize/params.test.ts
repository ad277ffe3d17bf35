// Scale/zero-point math against hand-computed literals and an independent float64 reference (8/16/4 bits), plus float16 on LeNet-5's weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../src/formats/registry.ts';
import { halfToFloat, tensorFloats, tensorValues } from '../../src/ir/tensor.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { floatToHalf } from '../../src/ir/half.ts';
import { computeParams, dequantizeValue, minWeightScalesForBias, quantizeBias, quantizeBlocks4, quantizeValue, quantizeWeight, roundHalfEven, type QuantType } from '../../src/quantize/params.ts';
import { seededFloats } from '../../src/util/random.ts';

const model = await readModel(DEFAULT_MODEL.path);
const weight = model.graph.initializers.get('conv2.weight')!;
const values = tensorFloats(weight);

test('rounding is half to even, like numpy', () => {
  for (const [x, want] of [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, 0], [-1.5, -2], [2.4999, 2], [2.5001, 3]]) assert.equal(roundHalfEven(x) + 0, want, `round(${x})`);
});

test('per-channel symmetric int8: zero point 0, every weight within half a step of its channel scale', () => {
  const q = quantizeWeight(values, weight.dims, 'int8', true, 0);
  assert.equal(q.params.length, weight.dims[0]);
  const inner = values.length / weight.dims[0];
  for (let i = 0; i < values.length; i++) {
    const p = q.params[Math.floor(i / inner)];
    assert.equal(p.zeroPoint, 0);
    assert.ok(q.values[i] >= -127 && q.values[i] <= 127);
    assert.ok(Math.abs(dequantizeValue(q.values[i], p) - values[i]) <= p.scale / 2 + 1e-7);
  }
  const perTensor = quantizeWeight(values, weight.dims, 'int8', true);
  assert.ok(q.params.every((p) => p.scale <= perTensor.params[0].scale), 'channel scales never exceed the tensor scale');
});

test('asymmetric uint8 maps the range ends onto the grid ends and 0 exactly onto the zero point', () => {
  let min = Infinity, max = -Infinity;
  for (const v of values) { min = Math.min(min, v); max = Math.max(max, v); }
  const p = computeParams({ min, max }, 'uint8', false);
  assert.ok(p.zeroPoint > 0 && p.zeroPoint < 255);
  assert.equal(dequantizeValue(p.zeroPoint, p), 0);
  assert.ok(Math.abs(dequantizeValue(0, p) - min) <= p.scale / 2 + 1e-6);
  assert.ok(Math.abs(dequantizeValue(255, p) - max) <= p.scale / 2 + 1e-6);
});

test('int32 bias uses scale = input scale × weight scale per channel', () => {
  const bias = tensorFloats(model.graph.initializers.get('fc1.bias')!);
  const w = model.graph.initializers.get('fc1.weight')!;
  const q = quantizeWeight(tensorFloats(w), w.dims, 'int8', true, 0);
  const inputScale = 0.0123;
  const b = quantizeBias(bias, inputScale, q.params.map((p) => p.scale));
  for (let c = 0; c < bias.length; c++) {
    assert.equal(b.scales[c], Math.fround(inputScale * q.params[c].scale));
    assert.ok(Math.abs(b.values[c] * b.scales[c] - bias[c]) <= b.scales[c] / 2 + 1e-9);
  }
  assert.equal(b.saturated, 0);
});

test('4-bit blocks: each weight within half a step of its block scale', () => {
  const w = model.graph.initializers.get('fc2.weight')!; // [84, 120]: rows are output channels, K = 120
  const v = tensorFloats(w);
  const [rows, k] = w.dims;
  const q = quantizeBlocks4((r, i) => v[r * k + i], rows, k, 32, true);
  const blocks = Math.ceil(k / 32);
  for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) {
    const byte = q.packed[(r * blocks * 32 + i) >> 1];
    const code = i % 2 === 0 ? byte & 15 : byte >> 4;
    const s = q.scales[r * blocks + Math.floor(i / 32)];
    // The largest magnitude maps to -8 exactly; its opposite (+8) saturates to 7, one step off.
    const err = Math.abs((code - 8) * s - v[r * k + i]);
    assert.ok(err <= Math.abs(s) / 2 + 1e-7 || (code === 15 && err <= Math.abs(s) + 1e-7), `row ${r} col ${i}: error ${err}, scale ${s}`);
  }
});

test('float16 conversion rounds to the nearest half (ties to even) on real weights', () => {
  for (const x of values) {
    const h = floatToHalf(x);
    const back = halfToFloat(h);
    const up = halfToFloat(h + 1);
    const down = halfToFloat(h - 1);
    assert.ok(Math.abs(back - x) <= Math.abs(up - x) && Math.abs(back - x) <= Math.abs(down - x), `${x} → ${back}`);
  }
  assert.equal(floatToHalf(65504), 0x7bff);
  assert.equal(floatToHalf(1e6), 0x7c00);
});

// ---- Independent reference (onnxruntime's quant_utils.compute_scale_zp and the ONNX QuantizeLinear definition) ----

/** Full integer range of each type, from the ONNX spec. */
const GRID: Record<Exclude<QuantType, 'int32'>, [number, number]> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int4: [-8, 7], uint4: [0, 15],
};

/** Round half to even, written independently of the code under test: Math.round (half up) corrected on exact ties. */
function rne(x: number): number {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0; // + 0: no -0
}

const clampTo = (x: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, x));

/**
 * compute_scale_zp: the range widened to contain 0; symmetric → ±max|x| on the restricted grid (signed types drop
 * their most negative value) with the zero point in the grid's middle; asymmetric → zero point qmin − rmin/scale.
 * The scale is stored as float32; the zero point is taken from the stored scale.
 */
function refParams(lo: number, hi: number, type: keyof typeof GRID, symmetric: boolean): { scale: number; zeroPoint: number } {
  const [tmin, tmax] = GRID[type];
  const qmin = symmetric && tmin < 0 ? tmin + 1 : tmin;
  const qmax = tmax;
  let rmin = Math.min(lo, 0), rmax = Math.max(hi, 0);
  if (symmetric) {
    const a = Math.max(-rmin, rmax);
    rmin = -a;
    rmax = a;
  }
  const scale = Math.fround((rmax - rmin) / (qmax - qmin));
  if (scale < 1.1754943508222875e-38) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = symmetric ? rne((qmin + qmax) / 2) : clampTo(rne(qmin - rmin / scale), [qmin, qmax]);
  return { scale, zeroPoint };
}

/** ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zero_point), the division in float32. */
function refQuantize(x: number, scale: number, zeroPoint: number, type: keyof typeof GRID): number {
  return clampTo(rne(Math.fround(x / scale)) + zeroPoint, GRID[type]);
}

test('computeParams on hand-computed ranges: exact scales and zero points for 8, 16 and 4 bits', () => {
  // [range, type, symmetric, scale, zero point], each worked out by hand with exactly representable numbers.
  const cases: [[number, number], QuantType, boolean, number, number][] = [
    // int8 symmetric: absmax 127/64 over the grid [-127, 127] → scale (2·127/64)/254 = 1/64, zero point 0.
    [[-0.25, 127 / 64], 'int8', true, 1 / 64, 0],
    // the same range symmetric, but the negative side is larger: absmax 2.5 → scale 5/254.
    [[-2.5, 1], 'int8', true, Math.fround(5 / 254), 0],
    // uint8 asymmetric: width 255/64 over 255 steps → scale 1/64; 0 sits 1/(1/64) = 64 steps above -1.
    [[-1, 255 / 64 - 1], 'uint8', false, 1 / 64, 64],
    // int8 asymmetric, same range: the grid starts at -128 → zero point -128 + 64 = -64.
    [[-1, 255 / 64 - 1], 'int8', false, 1 / 64, -64],
    // a range entirely above 0 is widened to [0, 5]: scale 5/255, zero point at the grid bottom.
    [[2, 5], 'uint8', false, Math.fround(5 / 255), 0],
    [[2, 5], 'int8', false, Math.fround(5 / 255), -128],
    // a range entirely below 0 is widened to [-5, 0]: zero point at the grid top.
    [[-5, -2], 'uint8', false, Math.fround(5 / 255), 255],
    [[-5, -2], 'int8', false, Math.fround(5 / 255), 127],
    // uint8 symmetric: no restricted grid for unsigned, [-1, 1] over 255 steps, zero point round(127.5) = 128.
    [[-1, 1], 'uint8', true, Math.fround(2 / 255), 128],
    // int16 symmetric: absmax 32767/4096 over [-32767, 32767] → scale 1/4096.
    [[-3, 32767 / 4096], 'int16', true, 1 / 4096, 0],
    // uint16 asymmetric, range above 0 widened to [0, 65535/1024] → scale 1/1024, zero point 0.
    [[0.5, 65535 / 1024], 'uint16', false, 1 / 1024, 0],
    // int16 asymmetric: width 65535/256, 0 sits 256·1 = 256 steps above -1 → -32768 + 256.
    [[-1, 65535 / 256 - 1], 'int16', false, 1 / 256, -32512],
    // int4 symmetric: absmax 7/8 over [-7, 7] → scale 1/8.
    [[-7 / 8, 0.25], 'int4', true, 0.125, 0],
    // uint4 asymmetric: width 15/4 over 15 steps → scale 1/4, zero point 1/(1/4) = 4.
    [[-1, 2.75], 'uint4', false, 0.25, 4],
    // int4 asymmetric, same range: -8 + 4.
    [[-1, 2.75], 'int4', false, 0.25, -4],
    // nothing but zeros: scale 1, zero point 0.
    [[0, 0], 'int8', true, 1, 0],
    [[0, 0], 'uint8', false, 1, 0],
  ];
  for (const [[min, max], type, symmetric, scale, zeroPoint] of cases) {
    const p = computeParams({ min, max }, type, symmetric);
    assert.deepEqual({ scale: p.scale, zeroPoint: p.zeroPoint + 0 }, { scale, zeroPoint }, `${type} ${symmetric ? 'symmetric' : 'asymmetric'} [${min}, ${max}]`);
    if (type !== 'int32') assert.deepEqual({ ...p, zeroPoint: p.zeroPoint + 0 }, refParams(min, max, type, symmetric), 'the float64 reference agrees');
  }
});

test('quantizeValue on hand-computed values: round half to even on the grid, saturation at the type limits', () => {
  const p = { scale: 1 / 64, zeroPoint: 64 }; // uint8 over [-1, 2.984375]
  // [x, q]: x/scale = 32 → 96; -1 → 0; the top of the range → 255; half steps round to even; beyond the range saturates.
  for (const [x, q] of [[0.5, 96], [-1, 0], [255 / 64 - 1, 255], [1 / 128, 64], [3 / 128, 66], [-1 / 128, 64], [-3 / 128, 62], [100, 255], [-100, 0]]) {
    assert.equal(quantizeValue(x, p, 'uint8'), q, `uint8 ${x}`);
  }
  const s = { scale: 1 / 64, zeroPoint: 0 }; // int8 symmetric: the type's full range saturates (-128 is reachable by clamping)
  for (const [x, q] of [[127 / 64, 127], [-127 / 64, -127], [-3, -128], [3, 127], [5 / 128, 2], [7 / 128, 4]]) assert.equal(quantizeValue(x, s, 'int8'), q, `int8 ${x}`);
  for (const [x, q] of [[0.875, 7], [-1, -8], [1, 7], [0.0625, 0], [0.1875, 2]]) assert.equal(quantizeValue(x, { scale: 0.125, zeroPoint: 0 }, 'int4'), q, `int4 ${x}`);
  for (const [x, q] of [[32767 / 4096, 32767], [-8, -32768], [1 / 8192, 0], [3 / 8192, 2]]) assert.equal(quantizeValue(x, { scale: 1 / 4096, zeroPoint: 0 }, 'int16'), q, `int16 ${x}`);
  assert.equal(dequantizeValue(96, p), 0.5);
  assert.equal(dequantizeValue(0, p), -1);
});

/** Seeded weights [out, in, kh, kw] whose channels differ in range and sign balance, with an exact zero and exact half steps mixed in. */
function seededWeights(dims: number[], seed: number): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const v = seededFloats(n, seed, -1, 1);
  const per = n / dims[0];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / per);
    v[i] = Math.fround(v[i] * (0.05 + c * 0.37) + (c % 3 === 0 ? 0.3 * (c + 1) * 0.05 : 0)); // channel c: its own scale and offset
  }
  v[0] = 0;
  return v;
}

/** Per-channel (or per-tensor) min/max along `axis`, the slice of each element found from its index by div/mod. */
function refChannelRanges(values: Float32Array, dims: number[], axis: number | undefined): { lo: number[]; hi: number[]; channelOf: (i: number) => number } {
  const channels = axis === undefined ? 1 : dims[axis];
  const stride = axis === undefined ? 1 : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / stride) % channels);
  const lo = new Array<number>(channels).fill(Infinity), hi = new Array<number>(channels).fill(-Infinity);
  values.forEach((x, i) => {
    const c = channelOf(i);
    lo[c] = Math.min(lo[c], x);
    hi[c] = Math.max(hi[c], x);
  });
  return { lo, hi, channelOf };
}

test('quantizeWeight equals the independent reference exactly: symmetric/asymmetric, per-tensor/per-channel (axis 0 and 1), 8/16/4 bits', () => {
  const dims = [6, 5, 3, 3];
  const values = seededWeights(dims, 19);
  let checked = 0;
  for (const type of ['int8', 'uint8', 'int16', 'uint16', 'int4', 'uint4'] as const) {
    for (const symmetric of [true, false]) {
      for (const axis of [undefined, 0, 1]) {
        const got = quantizeWeight(values, dims, type, symmetric, axis);
        const { lo, hi, channelOf } = refChannelRanges(values, dims, axis);
        const want = lo.map((l, c) => refParams(l, hi[c], type, symmetric));
        const label = `${type} ${symmetric ? 'symmetric' : 'asymmetric'} ${axis === undefined ? 'per-tensor' : `axis ${axis}`}`;
        assert.deepEqual(got.params.map((p) => ({ scale: p.scale, zeroPoint: p.zeroPoint + 0 })), want, `${label}: params`);
        assert.equal(got.axis, axis, label);
        for (let i = 0; i < values.length; i++) {
          const p = want[channelOf(i)];
          const q = refQuantize(values[i], p.scale, p.zeroPoint, type);
          if (got.values[i] !== q) assert.fail(`${label}: element ${i} (${values[i]}) → ${got.values[i]}, expected ${q}`);
        }
        checked++;
      }
    }
  }
  assert.equal(checked, 36);
});

test('LeNet-5 conv2 per-channel int8: each scale is max|w|/127 of its output channel (hand formula), weights round(w/scale)', () => {
  const q = quantizeWeight(values, weight.dims, 'int8', true, 0);
  const inner = values.length / weight.dims[0];
  for (let c = 0; c < weight.dims[0]; c++) {
    let absmax = 0;
    for (let i = c * inner; i < (c + 1) * inner; i++) absmax = Math.max(absmax, Math.abs(values[i]));
    assert.equal(q.params[c].scale, Math.fround(absmax / 127), `channel ${c}`);
    assert.equal(q.params[c].zeroPoint + 0, 0);
    for (let i = c * inner; i < (c + 1) * inner; i++) assert.equal(q.values[i], rne(Math.fround(values[i] / q.params[c].scale)));
  }
});

test('a symmetric weight scale raised for the int32 bias: scale = |bias|/(input scale · (2^31−1)) · 1.0001 where that is larger', () => {
  const w = Float32Array.from([0.5, -0.25, 0.125, 0.01, -0.02, 0.015]); // [2 channels, 3]
  const bias = Float32Array.from([0.1, 300]);
  const inputScale = 1e-4;
  const mins = minWeightScalesForBias(bias, inputScale);
  assert.deepEqual([...mins], [(Math.fround(0.1) / 1e-4 / 2147483647) * 1.0001, (300 / 1e-4 / 2147483647) * 1.0001]);
  assert.ok(mins[1] > Math.fround(0.02 / 127), 'channel 1 needs the raise');
  const q = quantizeWeight(w, [2, 3], 'int8', true, 0, mins);
  assert.equal(q.params[0].scale, Math.fround(0.5 / 127), 'channel 0 keeps max|w|/127');
  assert.equal(q.params[1].scale, Math.fround(mins[1]), 'channel 1 is raised to the bias minimum');
  assert.deepEqual([...q.values.subarray(3)], [0, 1, 2].map((i) => rne(Math.fround(w[3 + i] / Math.fround(mins[1])))));
});

test('int32 bias: exact values round(bias/(input scale × weight scale)) per channel, saturation counted', () => {
  const bias = Float32Array.from([1, -0.5, 0.0625, 3e9 / 64]);
  const b = quantizeBias(bias, 0.5, [0.25, 0.125, 1 / 64, 1 / 128]);
  // Scales 0.125, 0.0625, 1/128, 1/256 → 8, -8, 8, and 3e9·4 saturates to 2^31-1.
  assert.deepEqual([...b.scales], [0.125, 0.0625, 1 / 128, 1 / 256]);
  assert.deepEqual([...b.values], [8, -8, 8, 2147483647]);
  assert.equal(b.saturated, 1);
  const t = quantizeBias(Float32Array.from([1, 2]), 0.5, [0.25]);
  assert.deepEqual([...t.values], [8, 16], 'one per-tensor weight scale serves every channel');
});

/** Reference 4-bit blocks: per block, symmetric scale = (value of largest |x|)/−8 with zero point 8, or asymmetric (max−min)/15 over the range widened to 0. */
function refBlocks4(w: Float32Array, rows: number, k: number, bs: number, symmetric: boolean) {
  const blocks = Math.ceil(k / bs);
  const codes: number[] = [], scales: number[] = [], zps: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const slice = Array.from(w.subarray(r * k + b * bs, r * k + Math.min(k, (b + 1) * bs)));
      let scale: number, zp: number;
      if (symmetric) {
        const extreme = slice.reduce((e, x) => (Math.abs(x) > Math.abs(e) ? x : e), 0);
        scale = Math.fround(-extreme / 8);
        zp = 8;
      } else {
        const lo = Math.min(0, ...slice), hi = Math.max(0, ...slice);
        scale = Math.fround((hi - lo) / 15);
        zp = clampTo(rne(-lo / scale), [0, 15]);
      }
      scales.push(scale);
      zps.push(zp);
      for (let i = 0; i < bs; i++) codes.push(i < slice.length ? clampTo(rne(slice[i] / scale) + zp, [0, 15]) : zp);
    }
  }
  return { codes, scales, zps };
}

test('4-bit blocks equal the independent reference exactly: codes, scales, zero points, symmetric and asymmetric, with a short last block', () => {
  const [rows, k, bs] = [5, 40, 16]; // 40 = 2 full blocks of 16 and a short one of 8 (zero-padded)
  const w = seededFloats(rows * k, 7, -1, 1).map((x, i) => x * (1 + (Math.floor(i / k) % 3)));
  w[3] = 0;
  for (const symmetric of [true, false]) {
    const got = quantizeBlocks4((r, i) => w[r * k + i], rows, k, bs, symmetric);
    const want = refBlocks4(w, rows, k, bs, symmetric);
    assert.deepEqual([...got.scales], want.scales.map(Math.fround), `${symmetric}: scales`);
    assert.deepEqual([...got.zeroPoints], want.zps, `${symmetric}: zero points`);
    const codes = Array.from({ length: got.packed.length * 2 }, (_, j) => (j % 2 === 0 ? got.packed[j >> 1] & 15 : got.packed[j >> 1] >> 4));
    assert.deepEqual(codes, want.codes, `${symmetric}: codes (low nibble first)`);
  }
  // By hand: the block [1, -2, 0.5, ...0] → symmetric scale -2/-8 = 0.25, codes 8 + [4, -8, 2] = [12, 0, 10].
  const hand = quantizeBlocks4((_r, i) => [1, -2, 0.5, 0][i], 1, 4, 4, true);
  assert.deepEqual([...hand.scales], [0.25]);
  assert.deepEqual([...hand.packed], [12 | (0 << 4), 10 | (8 << 4)]);
  // Asymmetric by hand: [-1, 2.75] → scale 0.25, zero point 4, codes [0, 15, 4+2, 4].
  const asym = quantizeBlocks4((_r, i) => [-1, 2.75, 0.5, 0][i], 1, 4, 4, false);
  assert.deepEqual([[...asym.scales], [...asym.zeroPoints], [...asym.packed]], [[0.25], [4], [0 | (15 << 4), 6 | (4 << 4)]]);
});

test('LeNet-5 w8a8 QDQ: the input\'s params from the MNIST pixel range by hand; every Gemm weight and bias equals the reference', async () => {
  const { quantizeModel } = await import('../../src/quantize/quantize.ts');
  const { mnistSource } = await import('../../src/data/mnist-source.ts');
  const float = await readModel(DEFAULT_MODEL.path);
  const { model: q } = await quantizeModel(await readModel(DEFAULT_MODEL.path), { scheme: 'w8a8', calibration: { source: mnistSource('train'), limit: 200 } });
  const g = q.graph;
  const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const init = (name: string) => [...tensorValues(g.initializers.get(name)!)].map(Number);
  // The input: pixels 0..255 normalised by (p/255 − 0.1307)/0.3081 (both ends occur in 200 MNIST images), int8 asymmetric.
  const lo = Math.fround(-0.1307 / 0.3081), hi = Math.fround((1 - 0.1307) / 0.3081);
  const inputQ = g.nodes.find((n) => n.op === 'QuantizeLinear' && n.inputs[0] === 'input')!;
  const inScale = Math.fround((hi - lo) / 255);
  assert.deepEqual([init(inputQ.inputs[1])[0], init(inputQ.inputs[2])[0]], [inScale, rne(-128 - lo / inScale)]);
  for (const node of g.nodes.filter((n) => n.op === 'Gemm')) {
    const original = float.graph.nodes.find((n) => n.name === node.name)!;
    const w = tensorFloats(float.graph.initializers.get(original.inputs[1])!), b = tensorFloats(float.graph.initializers.get(original.inputs[2])!);
    const wdq = producer.get(node.inputs[1])!, bdq = producer.get(node.inputs[2])!, xdq = producer.get(node.inputs[0])!;
    assert.deepEqual([wdq.op, bdq.op, xdq.op], ['DequantizeLinear', 'DequantizeLinear', 'DequantizeLinear'], node.name);
    const [rows, k] = float.graph.initializers.get(original.inputs[1])!.dims; // transB = 1: [out, in], one scale per output row
    const scales = Array.from({ length: rows }, (_, r) => Math.fround(w.subarray(r * k, (r + 1) * k).reduce((m, x) => Math.max(m, Math.abs(x)), 0) / 127));
    assert.deepEqual(init(wdq.inputs[1]), scales, `${node.name}: weight scales max|w|/127 per output row`);
    assert.ok(init(wdq.inputs[2]).every((z) => z === 0), `${node.name}: weight zero points 0`);
    const values = init(wdq.inputs[0]);
    for (let i = 0; i < w.length; i++) if (values[i] !== rne(Math.fround(w[i] / scales[Math.floor(i / k)]))) assert.fail(`${node.name}: weight ${i}`);
    const x = init(xdq.inputs[1])[0];
    assert.deepEqual(init(bdq.inputs[0]), Array.from(b, (v, c) => rne(Math.fround(v / Math.fround(x * scales[c])))), `${node.name}: int32 bias at input × weight scale`);
  }
});
