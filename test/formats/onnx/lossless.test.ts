// Every ModelProto feature the IR maps survives read → write → read; unmapped model fields come back verbatim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModelProto, encodeModelProto, type AttributeProto, type ModelProto, type TensorProto, type TypeProto } from '../../../src/formats/onnx/proto.ts';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { writeOnnx } from '../../../src/formats/onnx/write.ts';
import { tempDir } from './helpers.ts';

const raw = (name: string, data_type: number, dims: number[], bytes: number[]): TensorProto => ({ name, data_type, dims, raw_data: new Uint8Array(bytes) });
const meta = (k: string) => [{ key: k, value: `${k}-value` }];
// The IR keeps a type denotation on ValueInfo only (not on nested types), so only top-level types carry one here.
const tensorType = (elem_type: number, dims: (number | string | null)[], denotation?: string): TypeProto => ({
  tensor_type: { elem_type, shape: { dim: dims.map((d, i) => ({ ...(typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {}), ...(i === 0 ? { denotation: 'DATA_BATCH' } : {}) })) } },
  ...(denotation ? { denotation } : {}),
});
const sparse = { values: raw('sv', 1, [2], [0, 0, 128, 63, 0, 0, 0, 64]), indices: raw('si', 7, [2], [1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]), dims: [4] };
const subgraph = { name: 'body', node: [{ op_type: 'Identity', input: ['outer'], output: ['o'], name: 'id' }], output: [{ name: 'o', type: tensorType(1, [2]) }] };

const ALL_ATTRIBUTES: AttributeProto[] = [
  { name: 'f', type: 1, f: 0.25, doc_string: 'a float' },
  { name: 'i', type: 2, i: -3 },
  { name: 's', type: 3, s: new Uint8Array([104, 105, 0, 255]) },
  { name: 't', type: 4, t: { ...raw('tt', 10, [2], [0, 60, 0, 192]), doc_string: 'half', metadata_props: meta('tm') } },
  { name: 'g', type: 5, g: subgraph },
  { name: 'sp', type: 11, sparse_tensor: sparse },
  { name: 'tp', type: 13, tp: { sequence_type: { elem_type: { map_type: { key_type: 7, value_type: { optional_type: { elem_type: tensorType(1, [null]) } } } } } } },
  { name: 'fs', type: 6, floats: [1.5, -0, 3] },
  { name: 'is', type: 7, ints: [0, -1, 2 ** 40] },
  { name: 'ss', type: 8, strings: [new Uint8Array([97]), new Uint8Array(0)] },
  { name: 'ts', type: 9, tensors: [raw('a', 2, [1], [7]), { name: 'str', data_type: 8, dims: [2], string_data: [new Uint8Array([120]), new Uint8Array([121, 122])] }] },
  { name: 'gs', type: 10, graphs: [subgraph, { ...subgraph, name: 'body2' }] },
  { name: 'sps', type: 12, sparse_tensors: [sparse] },
  { name: 'tps', type: 14, type_protos: [{ sparse_tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 3 }] } } }, {}] },
];

function richModel(): ModelProto {
  return {
    ir_version: 10,
    opset_import: [{ domain: '', version: 21 }, { domain: 'local', version: 1 }],
    producer_name: 'p', producer_version: '1.2', domain: 'org.test', model_version: 7, doc_string: 'model doc',
    graph: {
      name: 'main', doc_string: 'graph doc',
      node: [
        { op_type: 'Everything', domain: 'test', name: 'n0', input: ['x', '', 'w'], output: ['y'], attribute: ALL_ATTRIBUTES, doc_string: 'node doc', metadata_props: meta('nm') },
        { op_type: 'Fn', domain: 'local', overload: 'v2', name: 'n1', input: ['y'], output: ['z'], attribute: [{ name: 'alpha', type: 1, f: 2 }] },
      ],
      initializer: [{ ...raw('w', 1, [1], [0, 0, 128, 63]), metadata_props: meta('im') }],
      sparse_initializer: [sparse],
      input: [{ name: 'x', type: tensorType(1, ['batch', null, 3], 'TENSOR'), doc_string: 'input doc', metadata_props: meta('vm') }],
      output: [{ name: 'z', type: tensorType(1, ['batch', null, 3]) }, { name: 'nothing' }],
      value_info: [{ name: 'y', type: { optional_type: { elem_type: { sequence_type: { elem_type: tensorType(7, []) } } } } }],
      quantization_annotation: [{ tensor_name: 'y', quant_parameter_tensor_names: [{ key: 'SCALE_TENSOR', value: 'w' }] }],
      metadata_props: meta('gm'),
    },
    metadata_props: [{ key: 'author', value: 'me' }, { key: 'license', value: 'MIT' }],
    training_info: [{ algorithm: { name: 'train', node: [{ op_type: 'Identity', input: ['y'], output: ['y2'] }] }, update_binding: [{ key: 'w', value: 'y2' }] }],
    functions: [{
      name: 'Fn', domain: 'local', overload: 'v2', input: ['a'], output: ['b'], attribute: ['beta'],
      attribute_proto: [{ name: 'alpha', type: 1, f: 1 }],
      node: [{ op_type: 'LeakyRelu', input: ['a'], output: ['b'], attribute: [{ name: 'alpha', type: 1, ref_attr_name: 'alpha' }] }],
      opset_import: [{ domain: '', version: 21 }], value_info: [{ name: 'b', type: tensorType(1, ['n']) }],
      doc_string: 'fn doc', metadata_props: meta('fm'),
    }],
  };
}

test('a model using every mapped field round-trips through the IR, unknown fields included', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Field 99 is unknown to the schema: it must be carried along untouched.
    const unknownField = new Uint8Array([0x9a, 0x06, 3, 1, 2, 3]);
    const original = join(dir, 'rich.onnx');
    writeFileSync(original, Buffer.concat([encodeModelProto(richModel()), unknownField]));
    const model = await readOnnx(original);

    const n0 = model.graph.nodes[0];
    assert.deepEqual([...n0.attributes.values()].map((a) => a.type), ['float', 'int', 'string', 'tensor', 'graph', 'sparse_tensor', 'type', 'floats', 'ints', 'strings', 'tensors', 'graphs', 'sparse_tensors', 'types']);
    assert.deepEqual(model.graph.inputs[0].type, { kind: 'tensor', dtype: 'float32', shape: ['batch', null, 3], denotations: ['DATA_BATCH', undefined, undefined] });
    assert.equal(model.graph.inputs[0].denotation, 'TENSOR');
    assert.deepEqual(model.graph.outputs[1].type, { kind: 'unknown' });
    assert.deepEqual(model.functions[0].nodes[0].attributes.get('alpha'), { type: 'ref', ref: 'alpha', refType: 'float' });
    assert.deepEqual(model.graph.nodes[0].attributes.get('is'), { type: 'ints', value: [0, -1, 2 ** 40] });
    assert.equal((model.extra?.onnxRawFields as Uint8Array[]).length, 2, 'training_info and field 99 kept raw');

    const copy = join(dir, 'copy.onnx');
    await writeOnnx(model, copy);
    const again = await readOnnx(copy);
    assert.deepStrictEqual(again, model);
    // Field for field, the written protobuf decodes to the original one.
    const [a, b] = [decodeModelProto(readFileSync(original)), decodeModelProto(readFileSync(copy))];
    assert.deepStrictEqual(JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(a)));
    assert.ok(Buffer.from(readFileSync(copy)).subarray(-unknownField.length).equals(unknownField));
  } finally {
    cleanup();
  }
});
