// The TFLite codec: a hand-built model object survives encode → decode; bad bytes give one FormatError line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FormatError } from '../../../src/errors.ts';
import { decodeTflite, encodeTflite, tfliteToIR, type TflModel } from '../../../src/formats/tflite/index.ts';
import { detectFormat, readModel, writeModel } from '../../../src/formats/registry.ts';
import { BUILTIN_OPS } from '../../../src/formats/tflite/schema/enums.ts';
import { unionTypeOf } from '../../../src/formats/tflite/schema/tables.ts';

function sample(): TflModel {
  const weights = new Uint8Array(new Float32Array([1.5, -2, 3.25, 0.5, 7, -8]).buffer);
  return {
    version: 3,
    description: 'codec test',
    operator_codes: [
      { deprecated_builtin_code: BUILTIN_OPS.FULLY_CONNECTED, builtin_code: BUILTIN_OPS.FULLY_CONNECTED, version: 1 },
      { deprecated_builtin_code: 127, builtin_code: BUILTIN_OPS.BROADCAST_TO, version: 2 },
    ],
    buffers: [{}, { data: weights }, { data: new TextEncoder().encode('hello') }],
    metadata: [{ name: 'note', buffer: 2 }],
    subgraphs: [{
      name: 'main',
      tensors: [
        { shape: [1, 3], type: 9, buffer: 0, name: 'x', quantization: { scale: [0.5], zero_point: [-3], quantized_dimension: 0 }, has_rank: true },
        { shape: [2, 3], type: 0, buffer: 1, name: 'w' },
        { shape: [1, 2], type: 0, buffer: 0, name: 'y', shape_signature: [-1, 2] },
      ],
      inputs: [0], outputs: [2],
      operators: [{ opcode_index: 0, inputs: [0, 1, -1], outputs: [2], builtin_options_type: unionTypeOf('BuiltinOptions', 'FullyConnectedOptions'), builtin_options: { fused_activation_function: 3, keep_num_dims: true } }],
    }],
    signature_defs: [{ inputs: [{ name: 'x', tensor_index: 0 }], outputs: [{ name: 'y', tensor_index: 2 }], signature_key: 'serving_default', subgraph_index: 0 }],
  };
}

test('encode → decode keeps every field the schema tables describe', () => {
  const src = sample();
  const bytes = encodeTflite(src);
  assert.equal(String.fromCharCode(...bytes.subarray(4, 8)), 'TFL3');
  const back = decodeTflite(bytes);
  assert.equal(back.description, src.description);
  assert.deepEqual(back.operator_codes.map((c) => [c.deprecated_builtin_code, c.builtin_code, c.version]), [[9, 9, 1], [127, 130, 2]]);
  const [x, w, y] = back.subgraphs[0].tensors;
  assert.deepEqual([x.name, x.type, x.shape, x.quantization?.scale, x.quantization?.zero_point], ['x', 9, [1, 3], [0.5], [-3]]);
  assert.deepEqual(y.shape_signature, [-1, 2]);
  const data = back.buffers[w.buffer].data!;
  assert.equal((data.byteOffset - bytes.byteOffset) % 16, 0, 'buffer data is 16-byte aligned within the file');
  assert.deepEqual(Array.from(new Float32Array(data.slice().buffer)), [1.5, -2, 3.25, 0.5, 7, -8]);
  const op = back.subgraphs[0].operators[0];
  assert.deepEqual(op.inputs, [0, 1, -1]);
  assert.equal(op.builtin_options_type, 8);
  assert.equal(op.builtin_options?.fused_activation_function, 3);
  assert.equal(op.builtin_options?.keep_num_dims, true);
  assert.equal(new TextDecoder().decode(back.buffers[back.metadata![0].buffer].data), 'hello');
  assert.equal(back.signature_defs?.[0].signature_key, 'serving_default');
});

test('the IR view maps operators to ai.tflite nodes and constants to initializers', () => {
  const model = tfliteToIR(decodeTflite(encodeTflite(sample())));
  assert.deepEqual(model.graph.nodes.map((n) => [n.op, n.domain, n.inputs]), [['FULLY_CONNECTED', 'ai.tflite', ['x', 'w', '']]]);
  assert.deepEqual([...model.graph.initializers.keys()], ['w']);
  assert.deepEqual(model.graph.outputs[0].type, { kind: 'tensor', dtype: 'float32', shape: [null, 2] });
  assert.deepEqual(model.metadata, [['note', 'hello']]);
});

test('registry: .tflite by extension and by magic; read → write round-trips the bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-codec-'));
  try {
    const bytes = encodeTflite(sample());
    writeFileSync(join(dir, 'm.tflite'), bytes);
    writeFileSync(join(dir, 'm.bin'), bytes);
    assert.equal((await detectFormat(join(dir, 'm.tflite'))).name, 'tflite');
    assert.equal((await detectFormat(join(dir, 'm.bin'))).name, 'tflite');
    await writeModel(await readModel(join(dir, 'm.tflite')), join(dir, 'again.tflite'));
    assert.deepEqual(readFileSync(join(dir, 'again.tflite')), Buffer.from(bytes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad bytes: missing identifier and out-of-range indices are FormatErrors', () => {
  assert.throws(() => decodeTflite(new Uint8Array(16)), (e: unknown) => e instanceof FormatError && /TFL3/.test(e.message));
  const broken = sample();
  broken.subgraphs[0].operators[0].inputs = [0, 7];
  assert.throws(() => decodeTflite(encodeTflite(broken)), (e: unknown) => e instanceof FormatError && /missing tensor/.test(e.message));
  const truncated = encodeTflite(sample()).subarray(0, 40);
  assert.throws(() => decodeTflite(truncated), FormatError);
});
