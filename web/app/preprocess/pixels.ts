// Images as plain byte arrays (gray, RGB or RGBA), with grayscale conversion and area resampling (DOM-free).

/** `width`×`height` pixels of `channels` interleaved bytes (1 gray, 3 RGB, 4 RGBA), row-major. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** Luma of one pixel (ITU-R 601 weights, as PIL's `convert('L')`). */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** A one-channel copy of the image. */
export function toGray(p: Pixels): Pixels {
  if (p.channels === 1) return p;
  const n = p.width * p.height;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += p.channels) out[i] = Math.round(luma(p.data[j], p.data[j + 1], p.data[j + 2]));
  return { width: p.width, height: p.height, channels: 1, data: out };
}

/**
 * Resamples a gray image to `width`×`height`: each output pixel is the overlap-weighted mean of the source
 * pixels it covers (a box filter, like PIL's BOX / OpenCV's INTER_AREA), so shrinking anti-aliases.
 */
export function resampleGray(p: Pixels, width: number, height: number): Pixels {
  if (p.channels !== 1) throw new Error('resampleGray needs a one-channel image');
  const out = new Uint8Array(width * height);
  const sx = p.width / width;
  const sy = p.height / height;
  for (let oy = 0; oy < height; oy++) {
    const y0 = oy * sy;
    const y1 = Math.min(p.height, y0 + Math.max(sy, 1e-6));
    for (let ox = 0; ox < width; ox++) {
      const x0 = ox * sx;
      const x1 = Math.min(p.width, x0 + Math.max(sx, 1e-6));
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < y1; y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        for (let x = Math.floor(x0); x < x1; x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0) continue;
          sum += wx * wy * p.data[y * p.width + x];
          area += wx * wy;
        }
      }
      out[oy * width + ox] = area > 0 ? Math.round(sum / area) : 0;
    }
  }
  return { width, height, channels: 1, data: out };
}
