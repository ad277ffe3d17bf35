// The LiteRT page's answers are checked on the Node side: outputs whose bytes do not fit their dtype and dims, and LiteRT's logged failures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liteRtFailure } from '../../src/runtimes/litert/log.ts';
import { fromWire } from '../../src/runtimes/litert/transfer.ts';

test('fromWire refuses an output whose byte length does not fit its dtype and dims', () => {
  const b64 = Buffer.from(new Float32Array([1, 2, 3]).buffer).toString('base64');
  assert.deepEqual(Array.from(fromWire({ dtype: 'float32', dims: [1, 3], b64 }).data as Float32Array), [1, 2, 3]);
  assert.throws(() => fromWire({ dtype: 'float32', dims: [1, 4], b64 }), /returned 12 bytes for a float32 \[1,4\] output \(16 expected\)/);
  assert.throws(() => fromWire({ dtype: 'uint8', dims: [3], b64 }), /returned 12 bytes for a uint8 \[3\] output \(3 expected\)/);
});

test('liteRtFailure names the failed Prepare and the delegation error before it, and ignores a healthy log', () => {
  // Lines as LiteRT.js 2.5.3 printed them for the SqueezeNet 1.1 w8a8 file with mis-scaled CONCATENATION inputs.
  const healthy = [
    'error: INFO: [environment.cc:36] Creating LiteRT environment with options',
    'error: INFO: [cpu_registry.cc:75] XNNPACK CPU accelerator registered.',
    'error: INFO: Created TensorFlow Lite XNNPACK delegate for CPU.',
  ];
  const failed = [
    ...healthy,
    'error: ERROR: failed to delegate CONCATENATION node #7',
    'error: ERROR: Node number 42 (TfLiteXNNPackDelegate) failed to prepare.',
    'error: ERROR: [litert_compiled_model.cc:164] Failed to allocate tensors',
  ];
  assert.equal(liteRtFailure(healthy), undefined);
  assert.equal(liteRtFailure(failed), 'LiteRT logged: Node number 42 (TfLiteXNNPackDelegate) failed to prepare; Failed to allocate tensors (after: failed to delegate CONCATENATION node #7)');
});
