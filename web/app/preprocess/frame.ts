// Grabs pixels from anything drawable (video, canvas, image) through a reusable 2D canvas, cropping and scaling on the way.
import type { Pixels } from './pixels.ts';
import type { Rect } from './recipe.ts';

/** A drawable source and its size in pixels. */
export interface Frame {
  source: CanvasImageSource;
  width: number;
  height: number;
}

/** Reads crops of frames as RGBA pixels at a chosen size. */
export class FrameGrabber {
  private readonly canvas = document.createElement('canvas');
  private readonly ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;

  /** The `rect` of `frame`, scaled (with smoothing) to `width`×`height`, as RGBA pixels. */
  grab(frame: Frame, rect: Rect, width: number, height: number): Pixels {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.imageSmoothingQuality = 'high';
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, width, height);
    this.ctx.drawImage(frame.source, rect.x, rect.y, rect.width, rect.height, 0, 0, width, height);
    const img = this.ctx.getImageData(0, 0, width, height);
    return { width, height, channels: 4, data: img.data };
  }
}
