// Typed TensorProto fields (float_data, int32_data, int64_data, ...) become raw bytes that ORT reads identically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModelProto, decodeModelProto, type TensorProto } from '../../../src/formats/onnx/proto.ts';
import { dtypeFromOnnx } from '../../../src/formats/onnx/dtypes.ts';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { encodeOnnx, writeOnnx } from '../../../src/formats/onnx/write.ts';
import { tensorBytes, tensorValues } from '../../../src/ir/tensor.ts';
import { runModel, seededFloats, tempDir } from './helpers.ts';

const r = seededFloats(64, 42);
const ints = (n: number, scale: number) => Array.from(r.subarray(0, n), (v) => Math.round(v * scale));
/** One Constant per typed-field encoding, each a graph output (ORT-supported dtypes). */
const CONSTANTS: TensorProto[] = [
  { name: 'f32', data_type: 1, dims: [2, 3], float_data: Array.from(r.subarray(0, 6)) },
  { name: 'f64', data_type: 11, dims: [4], double_data: Array.from(r.subarray(6, 10), (v) => v * 1e10) },
  { name: 'i64', data_type: 7, dims: [5], int64_data: [...ints(4, 1e6), -(2 ** 40)] },
  { name: 'i32', data_type: 6, dims: [4], int32_data: ints(4, 2 ** 30) },
  { name: 'i16', data_type: 5, dims: [3], int32_data: ints(3, 30000) },
  { name: 'u16', data_type: 4, dims: [3], int32_data: ints(3, 30000).map(Math.abs) },
  { name: 'i8', data_type: 3, dims: [4], int32_data: ints(4, 127) },
  { name: 'u8', data_type: 2, dims: [4], int32_data: ints(4, 255).map(Math.abs) },
  { name: 'b', data_type: 9, dims: [3], int32_data: [1, 0, 1] },
  { name: 'f16', data_type: 10, dims: [3], int32_data: [0x3c00, 0xc000, 0x7bff] },
  { name: 'u32', data_type: 12, dims: [2], uint64_data: [4000000000, 7] },
  { name: 'u64', data_type: 13, dims: [2], uint64_data: [{ low: 0xffffffff, high: 0xffffffff, unsigned: true }, 12345] },
];

function typedModel(): Uint8Array {
  return encodeModelProto({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'typed',
      node: CONSTANTS.map((t) => ({ op_type: 'Constant', name: `c_${t.name}`, output: [t.name!], attribute: [{ name: 'value', type: 4, t }] })),
      output: CONSTANTS.map((t) => ({ name: t.name, type: { tensor_type: { elem_type: t.data_type, shape: { dim: (t.dims as number[]).map((d) => ({ dim_value: d })) } } } })),
    },
  });
}

test('typed tensor fields are normalised to raw bytes that ORT reads the same way', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const original = join(dir, 'typed.onnx');
    writeFileSync(original, typedModel());
    const model = await readOnnx(original);
    const rewritten = join(dir, 'raw.onnx');
    await writeOnnx(model, rewritten);
    // The rewrite really uses raw_data everywhere.
    const proto = decodeModelProto(encodeOnnx(model));
    for (const n of proto.graph!.node!) assert.ok(Object.prototype.hasOwnProperty.call(n.attribute![0].t!, 'raw_data'), `${n.name} uses raw_data`);

    const [a, b] = [await runModel(original, {}), await runModel(rewritten, {})];
    for (const t of CONSTANTS) {
      const want = a.get(t.name!)!, got = b.get(t.name!)!;
      assert.deepEqual(got.dims, want.dims, t.name);
      assert.ok(Buffer.from(got.bytes).equals(Buffer.from(want.bytes)), `${t.name}: ${got.bytes} vs ${want.bytes}`);
      // And the IR bytes are exactly what ORT produced from the typed field.
      const attr = model.graph.nodes.find((n) => n.outputs[0] === t.name)!.attributes.get('value')!;
      assert.ok(attr.type === 'tensor');
      assert.equal(attr.value.dtype, dtypeFromOnnx(t.data_type));
      assert.ok(Buffer.from(tensorBytes(attr.value)).equals(Buffer.from(want.bytes)), `${t.name} IR bytes`);
    }
  } finally {
    cleanup();
  }
});

test('4-bit tensors in int32_data keep their packed nibbles; int64 attributes saturate on write', async () => {
  const packed = [0x21, 0x43, 0x0f];
  const bytes = encodeModelProto({
    ir_version: 10,
    opset_import: [{ domain: '', version: 21 }],
    graph: {
      name: 'g',
      initializer: [{ name: 'q', data_type: 22, dims: [5], int32_data: packed }],
      node: [{ op_type: 'Custom', domain: 'test', output: ['y'], attribute: [{ name: 'big', type: 2, i: { low: 0xffffffff, high: 0x7fffffff } }, { name: 'many', type: 7, ints: [{ low: 0, high: 0x80000000 | 0 }, 5, -7] }] }],
    },
  });
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'int4.onnx');
    writeFileSync(path, bytes);
    const model = await readOnnx(path);
    const q = model.graph.initializers.get('q')!;
    assert.equal(q.dtype, 'int4');
    assert.deepEqual([...tensorBytes(q)], packed);
    const big = model.graph.nodes[0].attributes.get('big')!;
    assert.ok(big.type === 'int');
    assert.equal(big.value, 2 ** 63); // INT64_MAX rounds to 2^63 as a JS number
    big.value = 2 ** 70; // beyond int64: must saturate, not wrap
    const again = decodeModelProto(encodeOnnx(model)).graph!.node![0].attribute!;
    const i = again[0].i as { low: number; high: number };
    assert.deepEqual([i.high | 0, i.low >>> 0], [0x7fffffff, 0xffffffff]);
    const many = again[1].ints as { low: number; high: number; toNumber(): number }[];
    assert.deepEqual(many.map((v) => v.toNumber()), [-(2 ** 63), 5, -7]);
    assert.deepEqual([...tensorValues({ ...q, dtype: 'uint8', dims: [3] })], packed);
  } finally {
    cleanup();
  }
});
