// Test helper: a real MNIST digit as a camera would see it on paper: dark ink on light, unevenly lit paper, scaled up.

/** Frame geometry and look. */
export interface PaperOptions {
  width: number;
  height: number;
  /** Scale of the 28×28 digit (bilinear). */
  zoom: number;
  /** Paper brightness at the left and right edges (uneven light). */
  paper?: [number, number];
  /** Brightness of full ink. */
  ink?: number;
  /** Shift of the digit's centre from the frame's centre, in frame pixels. */
  offset?: [number, number];
}

/** A 28×28 MNIST image (white on black) drawn as `width`×`height` gray pixels of dark ink on light paper. */
export function paperDigit(digit: Uint8Array, o: PaperOptions): Uint8Array {
  const { width, height, zoom, paper = [200, 235], ink = 30, offset = [0, 0] } = o;
  const out = new Uint8Array(width * height);
  const x0 = (width - 28 * zoom) / 2 + offset[0];
  const y0 = (height - 28 * zoom) / 2 + offset[1];
  const at = (x: number, y: number) => (x < 0 || y < 0 || x > 27 || y > 27 ? 0 : digit[y * 28 + x]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x - x0) / zoom - 0.5;
      const v = (y - y0) / zoom - 0.5;
      const fx = Math.floor(u), fy = Math.floor(v), ax = u - fx, ay = v - fy;
      const m = (1 - ax) * (1 - ay) * at(fx, fy) + ax * (1 - ay) * at(fx + 1, fy) + (1 - ax) * ay * at(fx, fy + 1) + ax * ay * at(fx + 1, fy + 1);
      const bg = paper[0] + ((paper[1] - paper[0]) * x) / Math.max(1, width - 1);
      out[y * width + x] = Math.round(bg - ((bg - ink) * m) / 255);
    }
  }
  return out;
}
