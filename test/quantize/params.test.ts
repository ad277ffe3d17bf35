// Scale/zero-point math and float16 conversion checked on LeNet-5's real weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../src/formats/registry.ts';
import { halfToFloat, tensorFloats } from '../../src/ir/tensor.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { floatToHalf } from '../../src/quantize/half.ts';
import { computeParams, dequantizeValue, quantizeBias, quantizeBlocks4, quantizeWeight, roundHalfEven } from '../../src/quantize/params.ts';

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
