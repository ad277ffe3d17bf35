// Model files Apple's coremltools serialised (coreml-coremltools/generate.py): the reader and validator agree with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCoreMlPackage } from '../../src/formats/coreml/read.ts';
import { validateCoreMlPackage } from '../../src/formats/coreml/validate.ts';
import { encodeCoreMl } from '../../src/formats/coreml/encode.ts';
import { decodeCoreMl } from '../../src/formats/coreml/decode.ts';
import { halfToFloat } from '../../src/ir/tensor.ts';
import type { MilOperation, MilTensorValue } from '../../src/formats/coreml/program.ts';

const DIR = join(import.meta.dirname, 'coreml-coremltools');
const noBlobs = { blob: () => { throw new Error('no blobs here'); } };
const opOf = (ops: MilOperation[], type: string) => ops.find((o) => o.type === type)!;

test('an iOS 17 image classifier from coremltools: description, classify op, valid, and our encoding reads back the same', async () => {
  const file = join(DIR, 'classifier-ios17.mlmodel');
  const model = await readCoreMlPackage(file);
  assert.equal(model.specificationVersion, 8);
  assert.deepEqual(model.description.inputs, [{ name: 'image', type: { kind: 'image', width: 4, height: 4, colorSpace: 'BGR' } }]);
  assert.deepEqual(model.description.outputs.map((o) => [o.name, o.type.kind]), [['classLabel', 'string'], ['classLabel_probs', 'dictionary']]);
  assert.equal(model.description.predictedFeatureName, 'classLabel');
  const main = model.program.functions.main;
  assert.equal(main.opset, 'CoreML7');
  assert.deepEqual(main.inputs, [{ name: 'image', type: { dtype: 'fp32', shape: [1, 3, 4, 4] } }]);
  const classify = opOf(main.operations, 'classify');
  const classes = classify.inputs.classes[0];
  assert.ok('value' in classes && 'items' in classes.value);
  assert.deepEqual(classes.value.items.map((i) => i.data[0]), ['ant', 'bee', 'cat']);
  assert.deepEqual(classify.outputs[1].type, { kind: 'dict', key: { dtype: 'string', shape: [] }, value: { dtype: 'fp64', shape: [] } });
  const conv = opOf(main.operations, 'conv');
  const weightName = (conv.inputs.weight[0] as { name: string }).name;
  const weight = main.operations.find((o) => o.outputs[0].name === weightName)!.attributes.val as MilTensorValue;
  assert.deepEqual([...(weight.data as Float32Array)], [0.5, -1, 2]);
  assert.deepEqual(await validateCoreMlPackage(file), []);
  assert.deepEqual(decodeCoreMl(encodeCoreMl(model).model, noBlobs), model);
});

test('iOS 16 constexpr_affine_dequantize takes its parameters as attributes; iOS 18 int4 immediates unpack low nibble first', async () => {
  const deqFile = join(DIR, 'dequantize-ios16.mlmodel');
  const deq = opOf((await readCoreMlPackage(deqFile)).program.functions.main.operations, 'constexpr_affine_dequantize');
  assert.deepEqual(Object.keys(deq.inputs), []);
  assert.deepEqual([...(deq.attributes.quantized_data as MilTensorValue).data as Int8Array], [1, -2, 3, 4, 5, -6]);
  // No description in these two: the validator says so, and nothing else.
  for (const f of [deqFile, join(DIR, 'blockwise-int4-ios18.mlmodel')]) {
    const problems = await validateCoreMlPackage(f);
    assert.ok(problems.length > 0 && problems.every((p) => p.startsWith('description ')), JSON.stringify(problems));
  }
  const bw = opOf((await readCoreMlPackage(join(DIR, 'blockwise-int4-ios18.mlmodel'))).program.functions.main.operations, 'constexpr_blockwise_shift_scale');
  const data = (bw.inputs.data[0] as { value: MilTensorValue }).value;
  assert.deepEqual(data.type, { dtype: 'int4', shape: [1, 5] });
  assert.deepEqual([...data.data as Int8Array], [1, -2, 3, -8, 7]);
  const scale = (bw.inputs.scale[0] as { value: MilTensorValue }).value;
  assert.deepEqual([...scale.data as Uint16Array].map(halfToFloat), [2]);
});
