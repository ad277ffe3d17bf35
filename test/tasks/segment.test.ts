// Segment post-processing units: mask layouts and activations, bilinear resize, IoU, blur and compositing against direct computations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../src/util/random.ts';
import {
  applyEffect, blurBackground, blurImage, foregroundProbability, maskGeometry, maskIoU, overlayMask, replaceBackground, resizeMask,
  segmentPostprocess, thresholdMask, type Mask, type RgbaImage,
} from '../../src/tasks/segment/index.ts';

/** Random RGB; alpha 255, or random too when `alpha`. */
function randomFrame(width: number, height: number, seed: number, alpha = false): RgbaImage {
  const rand = mulberry32(seed);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i & 3) === 3 && !alpha ? 255 : Math.floor(rand() * 256);
  return { width, height, data };
}

/** A mask with a filled rectangle [x0, x1) × [y0, y1) of 1s. */
function rectMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const data = new Float32Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 1;
  return { width, height, data };
}

describe('mask layout and activation', () => {
  it('reads NCHW and NHWC dims', () => {
    assert.deepEqual(maskGeometry([1, 1, 64, 48]), { layout: 'NCHW', channels: 1, height: 64, width: 48 });
    assert.deepEqual(maskGeometry([1, 2, 64, 48]), { layout: 'NCHW', channels: 2, height: 64, width: 48 });
    assert.deepEqual(maskGeometry([1, 2, 16, 16]), { layout: 'NCHW', channels: 2, height: 16, width: 16 });
    assert.deepEqual(maskGeometry([1, 256, 144, 1]), { layout: 'NHWC', channels: 1, height: 256, width: 144 });
    assert.deepEqual(maskGeometry([1, 64, 64, 2]), { layout: 'NHWC', channels: 2, height: 64, width: 64 });
    assert.deepEqual(maskGeometry([32, 16]), { layout: 'NCHW', channels: 1, height: 32, width: 16 });
    assert.throws(() => maskGeometry([2, 1, 8, 8]), /mask must be/);
  });

  it('NCHW and NHWC of the same logits give the same probability; softmax over 2 channels = σ(fg − bg); sigmoid = σ', () => {
    const rand = mulberry32(7);
    const h = 5, w = 6, n = h * w;
    const bg = Array.from({ length: n }, () => rand() * 8 - 4), fg = Array.from({ length: n }, () => rand() * 8 - 4);
    const nchw = new Float32Array([...bg, ...fg]);
    const nhwc = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) { nhwc[2 * i] = bg[i]; nhwc[2 * i + 1] = fg[i]; }
    const a = foregroundProbability(nchw, { layout: 'NCHW', channels: 2, height: h, width: w }, { activation: 'softmax' });
    const b = foregroundProbability(nhwc, { layout: 'NHWC', channels: 2, height: h, width: w }, { activation: 'softmax' });
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(a.data[i] - sig(fg[i] - bg[i])) < 1e-6);
      assert.equal(a.data[i], b.data[i]);
    }
    const c0 = foregroundProbability(nchw, { layout: 'NCHW', channels: 2, height: h, width: w }, { activation: 'sigmoid', foregroundChannel: 0 });
    for (let i = 0; i < n; i++) assert.ok(Math.abs(c0.data[i] - sig(bg[i])) < 1e-6);
    const none = foregroundProbability(nhwc, { layout: 'NHWC', channels: 2, height: h, width: w });
    assert.deepEqual([...none.data], [...new Float32Array(fg)]);
    assert.throws(() => foregroundProbability(nchw, { layout: 'NCHW', channels: 2, height: h, width: w }, { foregroundChannel: 2 }), /channel 2/);
  });
});

describe('resize, threshold, IoU', () => {
  it('bilinear resize reproduces a linear ramp at half-pixel centres (interior) and keeps constants', () => {
    const sw = 8, sh = 6;
    const ramp = (x: number, y: number) => 0.1 * x + 0.03 * y;
    const src: Mask = { width: sw, height: sh, data: new Float32Array(sw * sh) };
    for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) src.data[y * sw + x] = ramp(x, y);
    const W = 21, H = 13;
    const out = resizeMask(src, W, H);
    let checked = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const fx = (x + 0.5) * sw / W - 0.5, fy = (y + 0.5) * sh / H - 0.5;
      if (fx < 0 || fy < 0 || fx > sw - 1 || fy > sh - 1) continue;
      assert.ok(Math.abs(out.data[y * W + x] - ramp(fx, fy)) < 1e-5, `(${x},${y})`);
      checked++;
    }
    assert.ok(checked > W * H / 2);
    const flat = resizeMask({ width: 3, height: 3, data: new Float32Array(9).fill(0.25) }, 10, 7);
    assert.ok(flat.data.every((v) => Math.abs(v - 0.25) < 1e-7));
    const same = resizeMask(src, sw, sh);
    assert.deepEqual([...same.data], [...src.data]);
  });

  it('maskIoU equals |A∩B|/|A∪B| counted over index sets; empty vs empty is 1', () => {
    const rand = mulberry32(3);
    const a = Float32Array.from({ length: 500 }, () => rand()), b = Float32Array.from({ length: 500 }, () => rand());
    for (const t of [0.3, 0.5, 0.8]) {
      const A = new Set([...a.keys()].filter((i) => a[i] >= t)), B = new Set([...b.keys()].filter((i) => b[i] >= t));
      const inter = [...A].filter((i) => B.has(i)).length, union = new Set([...A, ...B]).size;
      assert.equal(maskIoU(a, b, t), inter / union);
    }
    assert.equal(maskIoU(new Float32Array(4), new Float32Array(4)), 1);
    assert.equal(maskIoU(rectMask(10, 10, 0, 0, 5, 10).data, rectMask(10, 10, 5, 0, 10, 10).data), 0);
    assert.equal(maskIoU(rectMask(10, 10, 0, 0, 6, 10).data, rectMask(10, 10, 3, 0, 10, 10).data), 30 / 100);
    const th = thresholdMask({ width: 2, height: 2, data: new Float32Array([0.2, 0.5, 0.7, 0.49]) });
    assert.deepEqual([...th.data], [0, 1, 1, 0]);
  });

  it('segmentPostprocess: the named output, layout from dims, activation, resized to the frame', () => {
    const logits = new Float32Array(4 * 4).map((_, i) => (i % 4 < 2 ? -5 : 5));
    const mask = segmentPostprocess({ task: 'segment', output: 'm', activation: 'sigmoid' }, { m: { dims: [1, 4, 4, 1], data: logits } }, 8, 8);
    assert.equal(mask.width, 8);
    assert.ok(mask.data[0] < 0.01 && mask.data[7] > 0.99);
    assert.throws(() => segmentPostprocess({ task: 'segment', output: 'x' }, { m: { dims: [1, 4, 4, 1], data: logits } }, 8, 8), /no output 'x'/);
  });
});

describe('compositing on RGBA frames', () => {
  const W = 40, H = 30;
  const frame = randomFrame(W, H, 11, true);
  const mask = rectMask(W, H, 10, 5, 30, 25);

  it('box blur (one pass) equals a direct (2r+1)² average with clamped edges; constant images stay constant', () => {
    for (const r of [1, 3]) {
      const blurred = blurImage(frame, r, 1);
      let maxDiff = 0;
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
          const yy = Math.min(H - 1, Math.max(0, y + dy)), xx = Math.min(W - 1, Math.max(0, x + dx));
          s += frame.data[(yy * W + xx) * 4 + c];
        }
        maxDiff = Math.max(maxDiff, Math.abs(blurred.data[(y * W + x) * 4 + c] - Math.round(s / (2 * r + 1) ** 2)));
      }
      assert.ok(maxDiff <= 1, `radius ${r}: max diff ${maxDiff}`);
      for (let i = 3; i < frame.data.length; i += 4) assert.equal(blurred.data[i], frame.data[i]);
    }
    const flat: RgbaImage = { width: 9, height: 9, data: new Uint8ClampedArray(9 * 9 * 4).fill(77) };
    assert.ok(blurImage(flat, 4).data.every((v) => v === 77));
    assert.deepEqual(blurImage(frame, 0).data, frame.data);
  });

  it('three passes lower the variance of noise more than one (Gaussian-like)', () => {
    const variance = (img: RgbaImage) => {
      let s = 0, s2 = 0, n = 0;
      for (let i = 0; i < img.data.length; i += 4) { s += img.data[i]; s2 += img.data[i] ** 2; n++; }
      return s2 / n - (s / n) ** 2;
    };
    assert.ok(variance(blurImage(frame, 2, 3)) < variance(blurImage(frame, 2, 1)));
    assert.ok(variance(blurImage(frame, 2, 1)) < variance(frame));
  });

  it('background blur leaves foreground pixels (mask 1) unchanged and changes the background', () => {
    const out = blurBackground(frame, mask, 3);
    const blurred = blurImage(frame, 3);
    let changed = 0;
    for (let p = 0; p < W * H; p++) for (let c = 0; c < 4; c++) {
      const i = p * 4 + c;
      if (mask.data[p] === 1) assert.equal(out.data[i], frame.data[i]);
      else { assert.equal(out.data[i], blurred.data[i]); if (out.data[i] !== frame.data[i]) changed++; }
    }
    assert.ok(changed > 0);
  });

  it('replacement puts the colour exactly where mask = 0, the frame where 1, and the mix in between', () => {
    const soft: Mask = { width: W, height: H, data: new Float32Array(mask.data) };
    soft.data[0] = 0.25;
    const out = replaceBackground(frame, soft, [10, 200, 30]);
    for (let p = 1; p < W * H; p++) {
      const i = p * 4;
      const expect = soft.data[p] === 1 ? [frame.data[i], frame.data[i + 1], frame.data[i + 2]] : [10, 200, 30];
      assert.deepEqual([out.data[i], out.data[i + 1], out.data[i + 2]], expect);
      assert.equal(out.data[i + 3], frame.data[i + 3]);
    }
    assert.equal(out.data[0], Math.round(frame.data[0] * 0.25 + 10 * 0.75));
    const other = randomFrame(W, H, 12);
    const withImage = replaceBackground(frame, mask, other);
    assert.deepEqual([...withImage.data.subarray(0, 3)], [...other.data.subarray(0, 3)]);
    assert.throws(() => replaceBackground(frame, mask, randomFrame(W, H + 1, 1)), /does not match/);
  });

  it('overlay tints only where the mask is on; effects dispatch from the task; size mismatch is an error', () => {
    const out = overlayMask(frame, mask, [255, 0, 0], 1);
    for (let p = 0; p < W * H; p++) {
      const i = p * 4;
      if (mask.data[p] === 1) assert.deepEqual([...out.data.subarray(i, i + 3)], [255, 0, 0]);
      else assert.deepEqual([...out.data.subarray(i, i + 4)], [...frame.data.subarray(i, i + 4)]);
    }
    const half = overlayMask(frame, mask, [255, 0, 0]);
    const i0 = (10 * W + 15) * 4;
    assert.deepEqual([...half.data.subarray(i0, i0 + 3)], [Math.round(frame.data[i0] / 2 + 127.5), Math.round(frame.data[i0 + 1] / 2), Math.round(frame.data[i0 + 2] / 2)]);
    assert.deepEqual(applyEffect({ task: 'segment', effect: 'overlay' }, frame, mask, { color: [255, 0, 0], opacity: 1 }).data, out.data);
    assert.deepEqual(applyEffect({ task: 'segment' }, frame, mask).data, blurBackground(frame, mask, 8).data);
    assert.throws(() => blurBackground(frame, rectMask(W - 1, H, 0, 0, 1, 1)), /does not match the frame/);
  });
});
