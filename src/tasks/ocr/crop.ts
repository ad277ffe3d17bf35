// Text-line crops for the PP-OCR recogniser: a quad warped upright (PaddleOCR get_rotate_crop_image), resized to height 48, normalised.
import type { Quad } from './geometry.ts';
import { resizeBilinear, sampleBilinear, type FloatImage, type OcrTensor, type Raster } from './image.ts';

/** Recogniser input options (PP-OCRv4: height 48, at least 320 wide as PaddleOCR's batches are). */
export interface RecInputOptions {
  /** Input height (default 48). */
  height?: number;
  /** The crop is padded on the right to at least this width (default 320, PaddleOCR's rec_image_shape width). */
  minWidth?: number;
  /** The resized crop is squeezed to at most this width (default 1280). */
  maxWidth?: number;
  /** Feed channels in BGR order (as PaddleOCR's cv2-loaded training images were); default RGB. */
  bgr?: boolean;
}

/** Solves the 8×8 system for the homography taking `from[i]` to `to[i]` (h33 = 1), by Gaussian elimination. */
export function homography(from: Quad, to: Quad): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i], [u, v] = to[i];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    if (Math.abs(a[col][col]) < 1e-12) throw new RangeError('homography: degenerate quad');
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k < 9; k++) a[r][k] -= f * a[col][k];
    }
  }
  return [...a.map((row, i) => row[8] / row[i]), 1];
}

/**
 * The quad's content warped upright to int(longest top/bottom side) × int(longest left/right side), bilinear with
 * replicated edges, then turned 90° counter-clockwise when it is at least 1.5 times taller than wide (vertical text).
 */
export function cropQuad(image: Raster, quad: Quad): FloatImage {
  const dist = (i: number, j: number) => Math.hypot(quad[i][0] - quad[j][0], quad[i][1] - quad[j][1]);
  const w = Math.max(1, Math.trunc(Math.max(dist(0, 1), dist(2, 3))));
  const h = Math.max(1, Math.trunc(Math.max(dist(0, 3), dist(1, 2))));
  // The map from crop pixels back to image pixels (what warpPerspective inverts).
  const m = homography([[0, 0], [w, 0], [w, h], [0, h]], quad);
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const z = m[6] * x + m[7] * y + m[8];
    const sx = (m[0] * x + m[1] * y + m[2]) / z, sy = (m[3] * x + m[4] * y + m[5]) / z;
    for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = sampleBilinear(image, sx, sy, c);
  }
  if (h / w < 1.5) return { data: out, width: w, height: h, channels: 3 };
  // np.rot90: new (x', y') = old (W−1−y', x'), size swapped.
  const rot = new Float32Array(w * h * 3);
  for (let y = 0; y < w; y++) for (let x = 0; x < h; x++) for (let c = 0; c < 3; c++) rot[(y * h + x) * 3 + c] = out[(x * w + (w - 1 - y)) * 3 + c];
  return { data: rot, width: h, height: w, channels: 3 };
}

/**
 * The recogniser's [1,3,height,W] input from an upright crop: resized to `height` keeping its aspect (at most maxWidth),
 * normalised ((x/255 − 0.5)/0.5) and padded on the right with 0 up to minWidth (PaddleOCR's resize_norm_img).
 */
export function recInput(crop: Raster, options: RecInputOptions = {}): OcrTensor {
  const height = options.height ?? 48, minWidth = options.minWidth ?? 320, maxWidth = options.maxWidth ?? 1280;
  const resizedWidth = Math.max(1, Math.min(maxWidth, Math.ceil((height * crop.width) / crop.height)));
  const width = Math.max(resizedWidth, minWidth);
  const resized = resizeBilinear(crop, resizedWidth, height);
  const data = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    const src = options.bgr ? 2 - c : c;
    for (let y = 0; y < height; y++) for (let x = 0; x < resizedWidth; x++) {
      data[(c * height + y) * width + x] = (resized.data[(y * resizedWidth + x) * 3 + src] / 255 - 0.5) / 0.5;
    }
  }
  return { data, dims: [1, 3, height, width] };
}
