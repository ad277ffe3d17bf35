// Test data for text models: lines of MNIST digits drawn dark on a light page, as PaddleOCR-style normalised RGB tensors.
import { createHash } from 'node:crypto';
import { loadMnist, type MnistSplit } from '../../src/data/mnist.ts';
import type { DataBatch, DataSource } from '../../src/data/source.ts';

/** Page size in pixels (multiples of 32, as the PaddleOCR detector wants). */
export const PAGE = { height: 160, width: 480 } as const;

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/**
 * Renders `count` pages from MNIST `split` starting at image `first`: three lines of 14 digits each
 * (digit height varies per line), ink a dark colour on a slightly uneven light background.
 * Returns NCHW float32 normalised with ImageNet mean/std, as the PaddleOCR detector expects.
 */
export function renderTextPages(split: MnistSplit, first: number, count: number): { data: Float32Array; dims: number[] } {
  const mnist = loadMnist(split, { limit: first + count * 42 });
  const { height: H, width: W } = PAGE;
  const data = new Float32Array(count * 3 * H * W);
  let digit = first;
  for (let p = 0; p < count; p++) {
    const page = new Float32Array(3 * H * W);
    for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) page[(c * H + y) * W + x] = 225 + 20 * Math.sin((x + 3 * y + 7 * p) / 37) + 3 * c;
    const ink = [30 + 20 * (p % 3), 30, 60 - 10 * (p % 2)];
    for (let line = 0; line < 3; line++) {
      const size = 24 + 8 * ((line + p) % 3);
      const top = 12 + line * 50;
      for (let k = 0; k < 14; k++, digit++) {
        const left = 16 + k * Math.round(size * 0.9);
        if (left + size >= W) break;
        const img = mnist.images.subarray(digit * 784, (digit + 1) * 784);
        for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
          const a = img[Math.floor((y * 28) / size) * 28 + Math.floor((x * 28) / size)] / 255;
          if (a === 0 || top + y >= H) continue;
          for (let c = 0; c < 3; c++) {
            const i = (c * H + top + y) * W + left + x;
            page[i] = page[i] * (1 - a) + ink[c] * a;
          }
        }
      }
    }
    for (let c = 0; c < 3; c++) for (let i = 0; i < H * W; i++) data[p * 3 * H * W + c * H * W + i] = (page[c * H * W + i] / 255 - MEAN[c]) / STD[c];
  }
  return { data, dims: [count, 3, H, W] };
}

/** The rendered pages as a calibration DataSource for input `input`. */
export function textPageSource(split: MnistSplit, first: number, count: number, input = 'x'): DataSource {
  return {
    description: `${count} rendered text pages (mnist ${split} digits from #${first})`,
    count,
    async fingerprint() {
      return createHash('sha256').update(`text-pages:${split}:${first}:${count}`).digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      const total = Math.min(count, limit ?? count);
      for (let start = 0; start < total; start += batchSize) {
        const n = Math.min(batchSize, total - start);
        const { data, dims } = renderTextPages(split, first + start * 42, n);
        yield { inputs: { [input]: { dtype: 'float32', dims, data } } };
      }
    },
  };
}
