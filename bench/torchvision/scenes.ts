// Labelled digit scenes for the trained torchvision fixtures: one tinted MNIST digit on a coloured gradient, 64×64 RGB.
import type { MnistSplit } from '../../src/data/mnist.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import type { DataBatch, DataSource } from '../../src/data/source.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** Scene side in pixels. */
export const SCENE_SIZE = 64;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const luma = (c: readonly number[]) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/**
 * Scenes of MNIST `split` images `first` … `first + count − 1` as uint8 NCHW pixels [count, 3, 64, 64] and their digit
 * labels. Scene i depends only on (split, i): a gradient between two random colours in a random direction, the digit
 * scaled to 45–95 % of the side at a random place in an ink that contrasts with the background, and ±6 of pixel noise.
 */
export function renderScenes(split: MnistSplit, first: number, count: number): { pixels: Uint8Array; labels: Uint8Array } {
  const mnist = loadMnist(split, { limit: first + count });
  if (mnist.count < first + count) throw new Error(`mnist ${split} has ${mnist.count} images, scenes ${first}…${first + count - 1} asked for`);
  const S = SCENE_SIZE, plane = S * S;
  const pixels = new Uint8Array(count * 3 * plane);
  const img = new Float32Array(3 * plane);
  for (let n = 0; n < count; n++) {
    const index = first + n;
    const rand = mulberry32((Math.imul(index + 1, 0x9e3779b1) ^ (split === 'train' ? 0x5eed : 0x7e57)) >>> 0);
    const from = [0, 1, 2].map(() => rand() * 255), to = [0, 1, 2].map(() => rand() * 255);
    const angle = rand() * 2 * Math.PI, dx = Math.cos(angle), dy = Math.sin(angle);
    let ink = [0, 1, 2].map(() => rand() * 255);
    if (Math.abs(luma(ink) - (luma(from) + luma(to)) / 2) < 70) ink = ink.map((v) => 255 - v);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const t = 0.5 + ((x / S - 0.5) * dx + (y / S - 0.5) * dy) / Math.SQRT2;
      for (let c = 0; c < 3; c++) img[c * plane + y * S + x] = from[c] + (to[c] - from[c]) * t;
    }
    const size = Math.round(S * (0.45 + 0.5 * rand()));
    const top = Math.floor(rand() * (S - size + 1)), left = Math.floor(rand() * (S - size + 1));
    const digit = mnist.images.subarray(index * 784, (index + 1) * 784);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const a = digit[Math.floor((y * 28) / size) * 28 + Math.floor((x * 28) / size)] / 255;
      if (a === 0) continue;
      for (let c = 0; c < 3; c++) {
        const i = c * plane + (top + y) * S + left + x;
        img[i] = img[i] * (1 - a) + ink[c] * a;
      }
    }
    const out = pixels.subarray(n * 3 * plane, (n + 1) * 3 * plane);
    for (let i = 0; i < 3 * plane; i++) out[i] = Math.max(0, Math.min(255, Math.round(img[i] + (rand() - 0.5) * 12)));
  }
  return { pixels, labels: mnist.labels.slice(first, first + count) };
}

/** uint8 NCHW scene pixels normalised like ImageNet ((x/255 − mean)/std per channel) as float32. */
export function normaliseScenes(pixels: Uint8Array): Float32Array {
  const plane = SCENE_SIZE * SCENE_SIZE;
  return Float32Array.from(pixels, (v, i) => {
    const c = Math.floor(i / plane) % 3;
    return (v / 255 - MEAN[c]) / STD[c];
  });
}

/** Scenes `first` … `first + count − 1` of `split` as a labelled DataSource of float32 [n, 3, 64, 64] for `input`. */
export function sceneSource(split: MnistSplit, first: number, count: number, input = 'input'): DataSource {
  return {
    description: `${count} digit scenes ${SCENE_SIZE}×${SCENE_SIZE} (mnist ${split} from #${first})`,
    count,
    fingerprint: async () => `digit-scenes:${split}:${first}:${count}`,
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      const total = Math.min(count, limit ?? count);
      for (let start = 0; start < total; start += batchSize) {
        const n = Math.min(batchSize, total - start);
        const { pixels, labels } = renderScenes(split, first + start, n);
        yield { inputs: { [input]: { dtype: 'float32', dims: [n, 3, SCENE_SIZE, SCENE_SIZE], data: normaliseScenes(pixels) } }, labels };
      }
    },
  };
}
