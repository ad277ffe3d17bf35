// MNIST digits as the torchvision fixtures saw them in training (test/fixtures/torchvision/make.py `render`): normalised,
// padded with the background to P = size (≤ 32) or size/2, nearest-upsampled ×(size/P), repeated over RGB.
import { loadMnist } from '../../src/data/mnist.ts';

/** The MNIST test digits first…first+count as [1,3,size,size] float32 tensors, rendered as make.py renders them. */
export function digitsRgb(count: number, size: number, first = 0): Float32Array[] {
  const mnist = loadMnist('test', { limit: first + count });
  const side = size <= 32 ? size : size / 2;
  const pad = Math.floor((side - 28) / 2);
  const factor = size / side;
  const background = -0.1307 / 0.3081;
  const out: Float32Array[] = [];
  for (let n = first; n < first + count; n++) {
    const img = mnist.images.subarray(n * 784, (n + 1) * 784);
    const x = new Float32Array(3 * size * size);
    for (let y = 0; y < size; y++) for (let xx = 0; xx < size; xx++) {
      const sy = Math.floor(y / factor) - pad;
      const sx = Math.floor(xx / factor) - pad;
      const v = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? (img[sy * 28 + sx] / 255 - 0.1307) / 0.3081 : background;
      for (let c = 0; c < 3; c++) x[(c * size + y) * size + xx] = v;
    }
    out.push(x);
  }
  return out;
}
