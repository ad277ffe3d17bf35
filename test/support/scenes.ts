// Real-looking RGB test images: tinted MNIST digits scattered over a coloured gradient, deterministic per split.
import { loadMnist } from '../../src/data/mnist.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** RGB scenes of MNIST digits (tinted ink on a gradient background), H×W, values 0..255, NCHW or NHWC. */
export function digitScenes(split: 'calib' | 'eval', count: number, h: number, w: number, norm: (v: number, c: number) => number, nhwc = false): Float32Array {
  const mnist = loadMnist(split === 'calib' ? 'train' : 'test', { limit: count * 6 });
  const rand = mulberry32(split === 'calib' ? 11 : 12);
  const out = new Float32Array(count * 3 * h * w);
  for (let n = 0; n < count; n++) {
    const bg = [rand() * 255, rand() * 255, rand() * 255];
    const ink = [rand() * 255, rand() * 255, rand() * 255];
    const img = new Float32Array(3 * h * w);
    for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img[(c * h + y) * w + x] = bg[c] * (0.6 + 0.4 * (x + y) / (h + w));
    for (let k = 0; k < 6; k++) {
      const size = Math.max(12, Math.floor(Math.min(h, w) * (0.25 + 0.35 * rand())));
      const top = Math.floor(rand() * Math.max(1, h - size)), left = Math.floor(rand() * Math.max(1, w - size));
      const digit = mnist.images.subarray((n * 6 + k) * 784, (n * 6 + k + 1) * 784);
      for (let y = 0; y < size && top + y < h; y++) for (let x = 0; x < size && left + x < w; x++) {
        const a = digit[Math.floor((y * 28) / size) * 28 + Math.floor((x * 28) / size)] / 255;
        for (let c = 0; c < 3; c++) { const i = (c * h + top + y) * w + left + x; img[i] = img[i] * (1 - a) + ink[c] * a; }
      }
    }
    for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = norm(img[(c * h + y) * w + x], c);
      out[nhwc ? ((n * h + y) * w + x) * 3 + c : ((n * 3 + c) * h + y) * w + x] = v;
    }
  }
  return out;
}

