// ONNX sizes are checked before anything is allocated from them: typed fields against the dims, dim values (negative = unknown, past 2^53 refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { FormatError } from '../../../src/errors.ts';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { encodeModelProto, type TensorProto, type ValueInfoProto } from '../../../src/formats/onnx/proto.ts';
import { rejectsNamingFile, tempDir } from './helpers.ts';

function model(options: { initializer?: TensorProto; input?: ValueInfoProto }): Uint8Array {
  const output = options.initializer?.name ?? options.input!.name;
  return encodeModelProto({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      ...(options.initializer ? { initializer: [options.initializer] } : {}),
      ...(options.input ? { input: [options.input] } : {}),
      output: [{ name: output, type: { tensor_type: { elem_type: 1 } } }],
    },
  });
}

async function withModel(bytes: Uint8Array, check: (path: string) => Promise<unknown>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'm.onnx');
    writeFileSync(path, bytes);
    await check(path);
  } finally {
    cleanup();
  }
}

test('a declared tensor over 4 GiB with three typed values: the count is refused before allocating, not "Invalid typed array length"', async () => {
  for (const [data_type, field] of [[1, 'float_data'], [7, 'int64_data'], [11, 'double_data'], [6, 'int32_data'], [3, 'int32_data']] as const) {
    const t: TensorProto = { name: 'w', dims: [65536, 65536, 2], data_type, [field]: [1, 2, 3] };
    await withModel(model({ initializer: t }), async (p) => {
      const before = process.memoryUsage().arrayBuffers;
      const e = await rejectsNamingFile(() => readOnnx(p), FormatError, p, new RegExp(`initializer 'w': ${field} holds 3 values, .* with 8589934592 elements needs`));
      assert.doesNotMatch(e.message, /Invalid typed array length|Array buffer allocation failed/);
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, 'nothing sized from the dims was allocated');
    });
  }
});

test('an input dim_value of -1 reads as an unknown dim (as onnxruntime reads it), not as a size of -1', async () => {
  const input: ValueInfoProto = { name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: -1 }, { dim_value: 3 }, { dim_value: -1 }] } } } };
  await withModel(model({ input }), async (p) => {
    const m = await readOnnx(p);
    const type = m.graph.inputs[0].type;
    assert.equal(type.kind, 'tensor');
    assert.deepEqual(type.kind === 'tensor' && type.shape, [null, 3, null]);
  });
});

test('an input dim_value past 2^53 is refused naming the value, one line', async () => {
  const input: ValueInfoProto = { name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: { low: -1, high: 0x7fffffff } }] } } } };
  await withModel(model({ input }), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p, /value 'x': dim_value 9223372036854776000 is too large to be a size/));
});
