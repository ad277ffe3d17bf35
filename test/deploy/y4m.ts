// Test helper: writes an uncompressed YUV4MPEG2 (.y4m) video, the format Chromium's fake camera plays from a file.
import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Writes gray frames (`width`×`height` bytes each, even sizes) as a 4:2:0 Y4M file at `fps` frames per second;
 * chroma is neutral (128), so the video is grayscale.
 */
export function writeY4m(path: string, width: number, height: number, fps: number, frames: Iterable<Uint8Array>): number {
  if (width % 2 || height % 2) throw new Error('Y4M 4:2:0 needs even sizes');
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const fd = openSync(path, 'w');
  let count = 0;
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const y of frames) {
      if (y.length !== width * height) throw new Error(`frame ${count} has ${y.length} bytes, expected ${width * height}`);
      writeSync(fd, 'FRAME\n');
      writeSync(fd, y);
      writeSync(fd, chroma);
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

/**
 * Writes RGB frames (`width`×`height`×3 bytes each, even sizes) as a 4:2:0 Y4M file at `fps` frames per second, converted
 * with BT.601 limited-range coefficients (what Chromium's fake camera assumes), chroma averaged over each 2×2 block.
 */
export function writeY4mRgb(path: string, width: number, height: number, fps: number, frames: Iterable<Uint8Array>): number {
  if (width % 2 || height % 2) throw new Error('Y4M 4:2:0 needs even sizes');
  const fd = openSync(path, 'w');
  let count = 0;
  const yPlane = Buffer.alloc(width * height), u = Buffer.alloc((width / 2) * (height / 2)), v = Buffer.alloc(u.length);
  const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const rgb of frames) {
      if (rgb.length !== width * height * 3) throw new Error(`frame ${count} has ${rgb.length} bytes, expected ${width * height * 3}`);
      for (let p = 0; p < width * height; p++) {
        const r = rgb[p * 3], g = rgb[p * 3 + 1], b = rgb[p * 3 + 2];
        yPlane[p] = clamp(16 + 0.257 * r + 0.504 * g + 0.098 * b);
      }
      for (let y = 0; y < height / 2; y++) for (let x = 0; x < width / 2; x++) {
        let r = 0, g = 0, b = 0;
        for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
          const p = ((2 * y + dy) * width + 2 * x + dx) * 3;
          r += rgb[p] / 4; g += rgb[p + 1] / 4; b += rgb[p + 2] / 4;
        }
        u[y * (width / 2) + x] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
        v[y * (width / 2) + x] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
      }
      writeSync(fd, 'FRAME\n');
      writeSync(fd, yPlane);
      writeSync(fd, u);
      writeSync(fd, v);
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}
