// The stage: one canvas showing the processed frame (or its composite) with boxes, keypoints, text quads drawn over it.
import type { Frame } from '../preprocess/frame.ts';

/** Frame pixels → stage pixels. */
export interface StageScale {
  sx: number;
  sy: number;
}

/** Sizes the stage to the frame (at most 640 px wide) and draws the frame on it; returns the scale from frame to stage pixels. */
export function drawFrame(ctx: CanvasRenderingContext2D, frame: Frame): StageScale {
  const scale = Math.min(1, 640 / frame.width);
  const w = Math.round(frame.width * scale), h = Math.round(frame.height * scale);
  if (ctx.canvas.width !== w || ctx.canvas.height !== h) {
    ctx.canvas.width = w;
    ctx.canvas.height = h;
  }
  ctx.drawImage(frame.source, 0, 0, w, h);
  return { sx: w / frame.width, sy: h / frame.height };
}

/** Puts an RGBA image on the stage, the stage sized to it (the image's buffer is used as it is, not copied). */
export function drawRgba(ctx: CanvasRenderingContext2D, image: { width: number; height: number; data: Uint8ClampedArray }): void {
  if (ctx.canvas.width !== image.width || ctx.canvas.height !== image.height) {
    ctx.canvas.width = image.width;
    ctx.canvas.height = image.height;
  }
  ctx.putImageData(new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
}

const COLOUR = '#39ff88';

/** A labelled box (frame pixels) and its keypoints. */
export function strokeBox(ctx: CanvasRenderingContext2D, b: { x: number; y: number; width: number; height: number }, s: StageScale, label: string, points: { x: number; y: number }[] = []): void {
  ctx.lineWidth = 3;
  ctx.strokeStyle = COLOUR;
  ctx.strokeRect(b.x * s.sx, b.y * s.sy, b.width * s.sx, b.height * s.sy);
  ctx.fillStyle = COLOUR;
  for (const p of points) ctx.fillRect(p.x * s.sx - 2, p.y * s.sy - 2, 5, 5);
  ctx.font = '14px system-ui, sans-serif';
  const w = ctx.measureText(label).width + 8;
  ctx.fillRect(b.x * s.sx - 1.5, Math.max(0, b.y * s.sy - 20), w, 20);
  ctx.fillStyle = '#000';
  ctx.fillText(label, b.x * s.sx + 3, Math.max(15, b.y * s.sy - 5));
}

/** A text line's quad (frame pixels) with its text above it. */
export function strokeQuad(ctx: CanvasRenderingContext2D, quad: readonly (readonly [number, number])[], s: StageScale, text: string): void {
  ctx.lineWidth = 2;
  ctx.strokeStyle = COLOUR;
  ctx.beginPath();
  quad.forEach(([x, y], i) => (i ? ctx.lineTo(x * s.sx, y * s.sy) : ctx.moveTo(x * s.sx, y * s.sy)));
  ctx.closePath();
  ctx.stroke();
  ctx.font = '16px system-ui, sans-serif';
  const [x, y] = quad[0];
  const w = ctx.measureText(text).width + 8;
  ctx.fillStyle = 'rgba(0,0,0,.75)';
  ctx.fillRect(x * s.sx, Math.max(0, y * s.sy - 22), w, 22);
  ctx.fillStyle = COLOUR;
  ctx.fillText(text, x * s.sx + 4, Math.max(16, y * s.sy - 6));
}
