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
  assert.throws(() => quantizeOptionsFromProvenance({ ...base, scheme: 'w3' }), UsageError);
  assert.throws(() => quantizeOptionsFromProvenance({ ...base, method: 'guess' }, source), UsageError);
});
