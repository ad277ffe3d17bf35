// Quantization targets pick the activation type: onnx → int8 (S8S8), qnn → uint8; --activation-type overrides; tflite points to compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../src/formats/registry.ts';
import { readProvenance } from '../../src/quantize/provenance.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { resolveOptions } from '../../src/quantize/schemes.ts';
import { activationTypesOf } from '../../src/evaluate/exact.ts';
import { UsageError } from '../../src/errors.ts';
import { LENET, mnistFor } from '../evaluate/helpers.ts';

const cases = [
  { target: undefined, scheme: 'w8a8', type: 'int8' },
  { target: 'onnx', scheme: 'w8a8', type: 'int8' },
  { target: 'qnn', scheme: 'w8a8', type: 'uint8' },
  { target: 'onnx', scheme: 'w8a16', type: 'uint16' },
  { target: 'qnn', scheme: 'w8a16', type: 'uint16' },
] as const;

for (const c of cases) {
  test(`${c.scheme} for target ${c.target ?? '(default)'}: ${c.type} activations`, async () => {
    const source = await mnistFor('train');
    const { model, report } = await quantizeModel(await readModel(LENET), { scheme: c.scheme, ...(c.target ? { target: c.target } : {}), calibration: { source, limit: 64 } });
    assert.deepEqual([...activationTypesOf(model)], [c.type]);
    const record = readProvenance(model)!;
    assert.equal(record.target, c.target ?? 'onnx');
    assert.equal(record.activationType, c.type);
    assert.equal(record.activationTypeReason, `default for ${c.target ?? 'onnx'}`);
    assert.equal(report.types?.activationType, c.type);
    assert.match(report.types!.reason, new RegExp(`^${c.type}, the default for ${c.target ?? 'onnx'}: `));
  });
}

test('--activation-type overrides the target, and the record says so', async () => {
  const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', target: 'onnx', activationType: 'uint8', calibration: { source: await mnistFor('train'), limit: 64 } });
  assert.deepEqual([...activationTypesOf(model)], ['uint8']);
  assert.equal(readProvenance(model)!.activationTypeReason, '--activation-type');
});

test('target tflite points to compile; an unknown target lists the known ones', async () => {
  const source = await mnistFor('train');
  assert.throws(() => resolveOptions({ scheme: 'w8a8', target: 'tflite' as never, calibration: { source } }),
    (e: unknown) => e instanceof UsageError && /compile MODEL --target tflite --quantize w8a8/.test(e.message));
  assert.throws(() => resolveOptions({ scheme: 'w8a8', target: 'coreml' as never, calibration: { source } }),
    (e: unknown) => e instanceof UsageError && /unknown quantization target 'coreml' \(known: onnx, qnn\)/.test(e.message));
});
