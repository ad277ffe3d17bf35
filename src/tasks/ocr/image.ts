// Images for the OCR pipeline (8-bit RGB/RGBA or float RGB, row-major HWC), bilinear resizing, and the tensor shape it passes around.

/** A row-major HWC raster: 8-bit RGB or RGBA (camera frames, ImageData) or float RGB (crops). Only the first 3 channels are read. */
export interface Raster {
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** Values per pixel: 3 (RGB) or 4 (RGBA, as canvas ImageData holds it). */
  channels: number;
}

/** A float RGB raster (0..255), what crops are made of. */
export interface FloatImage extends Raster {
  data: Float32Array;
  channels: 3;
}

/** A dense float32 tensor as the injected model runs take and return it (NCHW for images). */
export interface OcrTensor {
  data: Float32Array;
  dims: number[];
}

/** The bilinear value of channel `c` at (x, y) in pixel coordinates (pixel centres at integers), edges replicated. */
export function sampleBilinear(img: Raster, x: number, y: number, c: number): number {
  const { width: w, height: h, channels: ch, data } = img;
  const xc = Math.min(Math.max(x, 0), w - 1), yc = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.floor(xc), y0 = Math.floor(yc);
  const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
  const fx = xc - x0, fy = yc - y0;
  const top = data[(y0 * w + x0) * ch + c] * (1 - fx) + data[(y0 * w + x1) * ch + c] * fx;
  const bottom = data[(y1 * w + x0) * ch + c] * (1 - fx) + data[(y1 * w + x1) * ch + c] * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Bilinear resize to `width`×`height` (OpenCV INTER_LINEAR's half-pixel convention) into a float RGB image. */
export function resizeBilinear(img: Raster, width: number, height: number): FloatImage {
  const out = new Float32Array(width * height * 3);
  const sx = img.width / width, sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const srcY = (y + 0.5) * sy - 0.5;
    for (let x = 0; x < width; x++) {
      const srcX = (x + 0.5) * sx - 0.5;
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = sampleBilinear(img, srcX, srcY, c);
    }
  }
  return { data: out, width, height, channels: 3 };
}
