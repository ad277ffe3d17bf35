// Core ML .mlpackage writer/reader: round trips, weight.bin bytes against Apple's blob format, protobuf layout, errors naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, UsageError } from '../../src/errors.ts';
import { readCoreMlPackage } from '../../src/formats/coreml/read.ts';
import { writeCoreMlPackage } from '../../src/formats/coreml/write.ts';
import { decodeModelMsg } from '../../src/formats/coreml/proto.ts';
import type { CoreMlModel, MilOperation, MilTensorValue, MilValue } from '../../src/formats/coreml/program.ts';
import { buildModel, CLASSES } from './coreml-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-coreml-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const MODEL = 'Data/com.apple.CoreML/model.mlmodel';
const WEIGHTS = 'Data/com.apple.CoreML/weights/weight.bin';

/** Every tensor value of the program in the order ops, then their input bindings, then their attributes appear. */
function tensorValues(model: CoreMlModel): MilTensorValue[] {
  const out: MilTensorValue[] = [];
  const walk = (v: MilValue) => ('items' in v ? v.items.forEach(walk) : out.push(v));
  for (const op of model.program.functions.main.operations) {
    for (const bindings of Object.values(op.inputs)) for (const b of bindings) if ('value' in b) walk(b.value);
    for (const v of Object.values(op.attributes)) walk(v);
  }
  return out;
}

/**
 * Apple's rule (coremltools should_use_weight_file): 10+ elements of fp16/fp32/uint8/int8 (int4/uint4 are held as
 * int8/uint8), from iOS 18 (specification 9) also int16/uint16/int32/uint32.
 */
function inBlob(v: MilTensorValue, specificationVersion: number): boolean {
  const types = ['fp16', 'fp32', 'uint8', 'int8', 'int4', 'uint4', ...(specificationVersion >= 9 ? ['int16', 'uint16', 'int32', 'uint32'] : [])];
  return v.data.length >= 10 && types.includes(v.type.dtype);
}

test('write → read gives the same model back for iOS 15, 16, 17 and 18 targets; sizes are the files\' sizes', async () => {
  for (const ios of [15, 16, 17, 18] as const) {
    const model = buildModel(ios);
    const out = join(dir, `rt${ios}.mlpackage`);
    const sizes = await writeCoreMlPackage(model, out);
    assert.equal(sizes.modelBytes, statSync(join(out, MODEL)).size);
    assert.equal(sizes.weightBytes, statSync(join(out, WEIGHTS)).size);
    assert.deepEqual(await readCoreMlPackage(out), model, `iOS ${ios}`);
  }
});

test('Manifest.json: format 1.0.0, two com.apple.CoreML items, the root is the model file', async () => {
  const out = join(dir, 'manifest.mlpackage');
  await writeCoreMlPackage(buildModel(17), out);
  const manifest = JSON.parse(readFileSync(join(out, 'Manifest.json'), 'utf8'));
  assert.equal(manifest.fileFormatVersion, '1.0.0');
  const items = Object.entries(manifest.itemInfoEntries) as [string, Record<string, string>][];
  assert.deepEqual(items.map(([, i]) => i.path).sort(), ['com.apple.CoreML/model.mlmodel', 'com.apple.CoreML/weights']);
  for (const [id, item] of items) {
    assert.match(id, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    assert.equal(item.author, 'com.apple.CoreML');
    assert.ok(existsSync(join(out, 'Data', item.path)));
  }
  const root = manifest.itemInfoEntries[manifest.rootModelIdentifier];
  assert.deepEqual([root.name, root.description], ['model.mlmodel', 'CoreML Model Specification']);
});

test('weight.bin bytes follow Apple\'s blob storage format (read raw, not through the reader)', async () => {
  const model = buildModel(18);
  const out = join(dir, 'blob.mlpackage');
  await writeCoreMlPackage(model, out);
  const bin = readFileSync(join(out, WEIGHTS));
  const expected = tensorValues(model).filter((v) => inBlob(v, model.specificationVersion));
  assert.ok(expected.length >= 6);
  assert.equal(bin.readUInt32LE(0), expected.length, 'storage_header.count');
  assert.equal(bin.readUInt32LE(4), 2, 'storage_header.version');
  assert.ok(bin.subarray(8, 64).every((b) => b === 0), 'reserved header bytes are zero');
  const codes: Record<string, number> = { fp16: 1, fp32: 2, uint8: 3, int8: 4, int4: 8, uint4: 11, int32: 14 };
  const offsets: number[] = [];
  let offset = 64;
  for (const v of expected) {
    assert.equal(offset % 64, 0);
    offsets.push(offset);
    assert.equal(bin.readUInt32LE(offset), 0xdeadbeef, `sentinel at ${offset}`);
    assert.equal(bin.readUInt32LE(offset + 4), codes[v.type.dtype], `mil_dtype of the ${v.type.dtype} blob`);
    const bits = v.type.dtype.endsWith('4') ? 4 : v.type.dtype.endsWith('32') ? 32 : v.type.dtype === 'fp16' ? 16 : 8;
    const size = Number(bin.readBigUInt64LE(offset + 8));
    assert.equal(size, Math.ceil((v.data.length * bits) / 8));
    assert.equal(Number(bin.readBigUInt64LE(offset + 16)), offset + 64, 'data right after the metadata');
    assert.equal(Number(bin.readBigUInt64LE(offset + 24)), (8 - ((v.data.length * bits) % 8)) % 8, 'padding_size_in_bits');
    const data = bin.subarray(offset + 64, offset + 64 + size);
    if (bits === 4) {
      // Packed from the least significant bit: element 2k in the low nibble of byte k.
      const d = v.data as Int8Array | Uint8Array;
      for (let i = 0; i < d.length; i++) assert.equal((data[i >> 1] >> ((i % 2) * 4)) & 15, d[i] & 15, `nibble ${i}`);
    } else {
      assert.deepEqual(data, Buffer.from((v.data as Float32Array).buffer, (v.data as Float32Array).byteOffset, size));
    }
    offset = Math.ceil((offset + 64 + size) / 64) * 64;
  }
  assert.equal(bin.length, offsets.length ? Number(bin.readBigUInt64LE(offsets.at(-1)! + 16)) + Number(bin.readBigUInt64LE(offsets.at(-1)! + 8)) : 64);
  // An odd count of uint4 leaves 4 bits unused in the last byte.
  assert.ok(expected.some((v) => v.type.dtype === 'uint4' && v.data.length % 2 === 1));
  assert.ok(expected.some((v) => v.type.dtype === 'int32'), 'iOS 18 stores int32 tensors in the blob');

  // The const's BlobFileValue is the weight file's path under @model_path and the METADATA offset.
  const msg = decodeModelMsg(readFileSync(join(out, MODEL)));
  const ops = msg.mlProgram!.functions!.main.block_specializations!.CoreML8.operations!;
  const conv = ops.find((o) => o.outputs?.[0].name === 'w_conv')!;
  assert.deepEqual({ ...conv.attributes!.val.blobFileValue, offset: Number(conv.attributes!.val.blobFileValue!.offset) }, { fileName: '@model_path/weights/weight.bin', offset: offsets[0] });
});

test('model.mlmodel layout: block keyed by the opset, immediates in coremltools\' fields, classes a list of scalars, buildInfo a dictionary', async () => {
  const model = buildModel(16);
  const out = join(dir, 'layout.mlpackage');
  await writeCoreMlPackage(model, out);
  const msg = decodeModelMsg(readFileSync(join(out, MODEL)));
  assert.equal(msg.specificationVersion, 7);
  const main = msg.mlProgram!.functions!.main;
  assert.equal(main.opset, 'CoreML6');
  assert.deepEqual(Object.keys(main.block_specializations!), ['CoreML6']);
  const ops = main.block_specializations!.CoreML6.operations!;
  const byOut = (name: string) => ops.find((o) => o.outputs?.[0].name === name)!;
  // fp32 < 10 elements: floats; int32: ints; string: strings.
  const conv = byOut('conv_out');
  assert.equal(conv.inputs!.bias.arguments![0].value!.immediateValue!.tensor!.floats!.values!.length, 4);
  assert.deepEqual(conv.inputs!.strides.arguments![0].value!.immediateValue!.tensor!.ints!.values, [1, 1]);
  assert.deepEqual(conv.inputs!.pad_type.arguments![0].value!.immediateValue!.tensor!.strings!.values, ['valid']);
  // CoreML6 constexpr: parameters as attributes, the name as a string attribute.
  const deq = byOut('w_q8');
  assert.deepEqual(Object.keys(deq.attributes!).sort(), ['axis', 'name', 'quantized_data', 'scale', 'zero_point']);
  assert.ok(deq.attributes!.quantized_data.blobFileValue);
  const classes = byOut('classLabel').inputs!.classes.arguments![0].value!;
  assert.equal(Number(classes.type!.listType!.length!.constant!.size), CLASSES.length);
  assert.deepEqual(classes.immediateValue!.list!.values!.map((v) => v.immediateValue!.tensor!.strings!.values![0]), CLASSES);
  assert.equal(Number(classes.immediateValue!.list!.values![0].type!.tensorType!.rank), 0);
  const info = msg.mlProgram!.attributes!.buildInfo;
  assert.ok(info.type!.dictionaryType);
  assert.deepEqual(Object.fromEntries(info.immediateValue!.dictionary!.values!.map((kv) => [kv.key!.immediateValue!.tensor!.strings!.values![0], kv.value!.immediateValue!.tensor!.strings!.values![0]])), model.program.attributes);
  const image = msg.description!.input![0].type!.imageType!;
  assert.deepEqual([Number(image.width), Number(image.height), image.colorSpace], [8, 8, 20]);
  assert.equal(msg.description!.output![0].type!.multiArrayType!.dataType, 65568);
  assert.ok(msg.description!.output![2].type!.dictionaryType!.stringKeyType);
});

test('fp16 immediates are little-endian bytes; a bare .mlmodel with only immediates reads back', async () => {
  const half: MilTensorValue = { type: { dtype: 'fp16', shape: [3] }, data: Uint16Array.from([0x3c00, 0xc000, 0x7bff]) };
  const add: MilOperation = { type: 'add', inputs: { x: [{ name: 'x' }], y: [{ value: half }] }, outputs: [{ name: 'y', type: { dtype: 'fp16', shape: [1, 3] } }], attributes: {} };
  const model: CoreMlModel = {
    specificationVersion: 7,
    description: { inputs: [{ name: 'x', type: { kind: 'multiArray', dtype: 'float16', shape: [1, 3] } }], outputs: [{ name: 'y', type: { kind: 'multiArray', dtype: 'float16', shape: [1, 3] } }], metadata: { userDefined: {} } },
    program: { version: 1, functions: { main: { inputs: [{ name: 'x', type: { dtype: 'fp16', shape: [1, 3] } }], opset: 'CoreML6', operations: [add], outputs: ['y'] } }, attributes: {} },
  };
  const out = join(dir, 'small.mlpackage');
  await writeCoreMlPackage(model, out);
  const msg = decodeModelMsg(readFileSync(join(out, MODEL)));
  const y = msg.mlProgram!.functions!.main.block_specializations!.CoreML6.operations![0].inputs!.y.arguments![0].value!;
  assert.deepEqual([...y.immediateValue!.tensor!.bytes!.values!], [0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b]);
  const bare = join(dir, 'bare.mlmodel');
  copyFileSync(join(out, MODEL), bare);
  assert.deepEqual(await readCoreMlPackage(bare), model);
  // A bare model file whose constants live in a weight file cannot be read on its own.
  const withBlobs = join(dir, 'blob-bare.mlpackage');
  await writeCoreMlPackage(buildModel(15), withBlobs);
  await assert.rejects(readCoreMlPackage(join(withBlobs, MODEL)), (e: FormatError) => e instanceof FormatError && /bare model file/.test(e.message));
});

async function expectFormatError(path: string, file: string, pattern: RegExp) {
  await assert.rejects(readCoreMlPackage(path), (e: unknown) => {
    assert.ok(e instanceof FormatError, String(e));
    assert.equal(e.file, file);
    assert.match(e.message, pattern);
    assert.ok(!e.toString().includes('\n'));
    return true;
  });
}

test('a missing or corrupt part gives one FormatError naming that file', async () => {
  const fresh = async (name: string) => {
    const out = join(dir, name);
    await writeCoreMlPackage(buildModel(17), out);
    return out;
  };
  let out = await fresh('corrupt-model.mlpackage');
  writeFileSync(join(out, MODEL), Buffer.from([0x0a, 0xff, 0xff, 0x07, 0x01]));
  await expectFormatError(out, join(out, MODEL), /not a Core ML model file/);
  writeFileSync(join(out, MODEL), new Uint8Array(0));
  await expectFormatError(out, join(out, MODEL), /holds no ML Program/);
  rmSync(join(out, MODEL));
  await expectFormatError(out, join(out, MODEL), /cannot read the model specification \(ENOENT\)/);

  out = await fresh('no-weights.mlpackage');
  rmSync(join(out, WEIGHTS));
  await expectFormatError(out, join(out, WEIGHTS), /cannot read the weight file .*ENOENT/);

  out = await fresh('bad-sentinel.mlpackage');
  const bin = readFileSync(join(out, WEIGHTS));
  bin.writeUInt32LE(0xfeedface, 64);
  writeFileSync(join(out, WEIGHTS), bin);
  await expectFormatError(out, join(out, WEIGHTS), /blob at offset 64: metadata sentinel is 0xfeedface/);

  out = await fresh('truncated.mlpackage');
  writeFileSync(join(out, WEIGHTS), readFileSync(join(out, WEIGHTS)).subarray(0, 200));
  await expectFormatError(out, join(out, WEIGHTS), /run past the end|past the end/);

  out = await fresh('bad-manifest.mlpackage');
  writeFileSync(join(out, 'Manifest.json'), '{"fileFormatVersion": ');
  await expectFormatError(out, join(out, 'Manifest.json'), /manifest is not JSON/);
  writeFileSync(join(out, 'Manifest.json'), '{"rootModelIdentifier": "X"}');
  await expectFormatError(out, join(out, 'Manifest.json'), /names no root model item/);
});

test('the writer replaces its own package but refuses a folder it did not write', async () => {
  const out = join(dir, 'again.mlpackage');
  await writeCoreMlPackage(buildModel(15), out);
  await writeCoreMlPackage(buildModel(16), out);
  assert.equal((await readCoreMlPackage(out)).specificationVersion, 7);
  const foreign = join(dir, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'notes.txt'), 'mine');
  await assert.rejects(writeCoreMlPackage(buildModel(15), foreign), UsageError);
  assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'mine');
});
