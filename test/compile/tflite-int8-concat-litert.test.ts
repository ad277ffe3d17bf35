// w8a8 ops whose int8 kernels need one scale for all inputs (SqueezeNet's fire-module CONCATENATION, MAXIMUM/MINIMUM, ResNet's padded MaxPool via PADV2) match onnxruntime in LiteRT.js; a mis-scaled concat is reported, not returned as garbage.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileToTflite } from '../../src/compile/compile.ts';
import { randomSource } from '../../src/data/random.ts';
import { writeOnnx } from '../../src/formats/onnx/write.ts';
import { BUILTIN_OPS } from '../../src/formats/tflite/schema/enums.ts';
import { decodeTflite } from '../../src/formats/tflite/read.ts';
import { encodeTflite } from '../../src/formats/tflite/write.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../src/runtimes/runtime.ts';
import { seededFloats } from '../../src/util/random.ts';
import { psnr, runOnce } from './parity.ts';

const DIMS = [1, 4, 8, 8];
let dir: string;
let onnxPath: string;
let tflitePath: string;
let tfliteBytes: Uint8Array;

/**
 * Fire-module pattern: two conv+relu branches with very different ranges and a max-pooled copy of the
 * input (its scale pinned to the input's) concatenated on channels.
 */
function fireModel(): Model {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('input', 'float32', DIMS);
  const branch = (name: string, channels: number, seed: number, spread: number) => {
    const w = b.initializer(`${name}.weight`, 'float32', [channels, 4, 1, 1], seededFloats(channels * 4, seed, -spread, spread));
    return b.op('Relu', [b.op('Conv', [x, w])]);
  };
  const pooled = b.op('MaxPool', [x], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
  b.output(b.op('Concat', [branch('narrow', 6, 3, 0.1), branch('wide', 10, 4, 2), pooled], { axis: 1 }));
  return b.build();
}

/** Max of two differently scaled branches, then a Clip with bounds no fused activation has (MAXIMUM/MINIMUM with constants). */
function maxClipModel(): Model {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('input', 'float32', DIMS);
  const conv = (name: string, seed: number, spread: number) =>
    b.op('Conv', [x, b.initializer(name, 'float32', [6, 4, 1, 1], seededFloats(24, seed, -spread, spread))]);
  const max = b.op('Max', [conv('narrow', 3, 0.1), conv('wide', 4, 2)]);
  b.output(b.op('Clip', [max, b.constant('lo', 'float32', [], Float32Array.of(-0.5)), b.constant('hi', 'float32', [], Float32Array.of(1.5))]));
  return b.build();
}

/** Writes `model` as ONNX and as a w8a8 .tflite calibrated on 16 seeded random inputs in [-2, 2); returns both paths and the .tflite bytes. */
async function compileBoth(model: Model, name: string): Promise<{ onnx: string; tflite: string; bytes: Uint8Array }> {
  const onnx = join(dir, `${name}.onnx`);
  await writeOnnx(model, onnx);
  const calibration = randomSource([{ name: 'input', dtype: 'float32', shape: DIMS }], { count: 16, seed: 1, range: [-2, 2] });
  const { bytes } = await compileToTflite(model, { quantize: 'w8a8', calibration });
  const tflite = join(dir, `${name}.tflite`);
  writeFileSync(tflite, bytes);
  return { onnx, tflite, bytes };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ondevice-int8-concat-'));
  ({ onnx: onnxPath, tflite: tflitePath, bytes: tfliteBytes } = await compileBoth(fireModel(), 'fire'));
});

after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

/** The int8 CONCATENATION of a decoded model, with its subgraph. */
function concatOf(bytes: Uint8Array) {
  const m = decodeTflite(bytes);
  const g = m.subgraphs[0];
  const op = g.operators.find((o) => m.operator_codes[o.opcode_index].builtin_code === BUILTIN_OPS.CONCATENATION)!;
  return { m, g, op };
}

test('w8a8 CONCATENATION: every input carries the output scale and zero point', () => {
  const { g, op } = concatOf(tfliteBytes);
  const out = g.tensors[op.outputs[0]].quantization!;
  for (const i of op.inputs) {
    const t = g.tensors[i].quantization!;
    assert.deepEqual([t.scale, t.zero_point], [out.scale, out.zero_point], `input ${g.tensors[i].name}`);
  }
});

test('w8a8 concat of differently scaled branches in LiteRT matches onnxruntime (PSNR ≥ 40 dB)', async () => {
  const input: HostTensor = { dtype: 'float32', dims: DIMS, data: seededFloats(4 * 8 * 8, 7, -2, 2) };
  const ref = await runOnce(ortNodeRuntime, onnxPath, input);
  const got = await runOnce(litertRuntime, tflitePath, input);
  const db = psnr(ref, got);
  assert.ok(db >= 40, `PSNR ${db} dB`);
});

test('LiteRT adapter reports a model whose kernel fails to prepare instead of returning its stale output buffer', async () => {
  const { m, g, op } = concatOf(tfliteBytes);
  const first = g.tensors[op.inputs[0]].quantization!;
  first.scale = first.scale!.map((s) => s * 2);
  const broken = join(dir, 'fire-misscaled.tflite');
  writeFileSync(broken, encodeTflite(m));
  const input: HostTensor = { dtype: 'float32', dims: DIMS, data: seededFloats(4 * 8 * 8, 7, -2, 2) };
  await assert.rejects(runOnce(litertRuntime, broken, input), /LiteRT logged: .*failed to prepare/i);
});

test('w8a8 Max of differently scaled branches and a Clip(-0.5, 1.5) in LiteRT match onnxruntime (PSNR ≥ 40 dB)', async () => {
  const { onnx, tflite } = await compileBoth(maxClipModel(), 'max-clip');
  const input: HostTensor = { dtype: 'float32', dims: DIMS, data: seededFloats(4 * 8 * 8, 7, -2, 2) };
  const db = psnr(await runOnce(ortNodeRuntime, onnx, input), await runOnce(litertRuntime, tflite, input));
  assert.ok(db >= 40, `PSNR ${db} dB`);
});

/** ResNet's stem pool: MaxPool 3×3 stride 2 with pads 1 on an even size is not TFLite SAME padding, so it becomes PADV2 (pad value −∞) + VALID pool. */
function paddedPoolModel(): Model {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('input', 'float32', DIMS);
  const conv = b.op('Conv', [x, b.initializer('w', 'float32', [6, 4, 1, 1], seededFloats(24, 5, -1, 1))]);
  b.output(b.op('MaxPool', [b.op('Relu', [conv])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }));
  return b.build();
}

test('w8a8 padded MaxPool (PADV2 with a −∞ pad value on the input scale) runs in LiteRT and matches onnxruntime (PSNR ≥ 40 dB)', async () => {
  const { onnx, tflite, bytes } = await compileBoth(paddedPoolModel(), 'padded-pool');
  const m = decodeTflite(bytes);
  const g = m.subgraphs[0];
  const pad = g.operators.find((o) => m.operator_codes[o.opcode_index].builtin_code === BUILTIN_OPS.PADV2);
  assert.ok(pad, 'the pool is padded by a PADV2');
  const [x, , value] = pad.inputs.map((i) => g.tensors[i].quantization!);
  assert.deepEqual([value.scale, value.zero_point], [x.scale, x.zero_point], 'pad value quantized like the input');
  const input: HostTensor = { dtype: 'float32', dims: DIMS, data: seededFloats(4 * 8 * 8, 7, -2, 2) };
  const db = psnr(await runOnce(ortNodeRuntime, onnx, input), await runOnce(litertRuntime, tflite, input));
  assert.ok(db >= 40, `PSNR ${db} dB`);
});
