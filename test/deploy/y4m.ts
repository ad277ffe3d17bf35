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
