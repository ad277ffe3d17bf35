// quantizeOptionsFromProvenance: a quantized model's metadata turns back into the options that made it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSource } from '../../src/data/random.ts';
import { UsageError } from '../../src/errors.ts';
import { quantizeOptionsFromProvenance, type QuantizationProvenance } from '../../src/quantize/provenance.ts';

const base: QuantizationProvenance = { scheme: 'w8a8', method: 'percentile', calibrationExamples: 64, excluded: ['Softmax'], perChannel: false, symmetric: true, activationType: 'int8', tool: 'ondevice 0', date: '2024-01-01' };

test('provenance → QuantizeOptions: scheme, exclusions, layout, activation type and calibration', (t) => {
  t.mock.method(console, 'warn', () => {});
  const source = randomSource([{ name: 'x', dtype: 'float32', shape: [null, 2] }]);
  assert.deepEqual(quantizeOptionsFromProvenance(base, source), {
    scheme: 'w8a8', exclude: ['Softmax'], perChannel: false, symmetric: true, activationType: 'int8',
    calibration: { source, method: 'percentile', limit: 64 },
  });
  assert.deepEqual(quantizeOptionsFromProvenance({ ...base, scheme: 'w4', method: undefined, activationType: undefined, blockSize: 64, excluded: [] }),
    { scheme: 'w4', exclude: [], perChannel: false, symmetric: true, blockSize: 64 });
  // PTQ steps (in the quantizer's order), reader ranges and the mixed-precision lists come back too.
  assert.deepEqual(quantizeOptionsFromProvenance({ ...base, scheme: 'w4a16', ptq: ['gptq', 'seq-mse'], readerRanges: true, wideValues: ['a'], floatValues: ['b'], int8Weights: ['conv1'] }, source), {
    scheme: 'w4a16', exclude: ['Softmax'], perChannel: false, symmetric: true, activationType: 'int8',
    calibration: { source, method: 'percentile', limit: 64 }, ptq: ['seq-mse', 'gptq'], readerRanges: true, wideValues: ['a'], floatValues: ['b'], int8Weights: ['conv1'],
  });
  assert.throws(() => quantizeOptionsFromProvenance({ ...base, ptq: ['adaround'] }, source), UsageError);
  assert.throws(() => quantizeOptionsFromProvenance({ ...base, scheme: 'w3' }), UsageError);
  assert.throws(() => quantizeOptionsFromProvenance({ ...base, method: 'guess' }, source), UsageError);
});
