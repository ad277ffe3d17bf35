// A drawing pad: dark strokes on a white canvas from mouse, pen or finger (pointer events), reporting each change.
import type { Frame } from '../preprocess/frame.ts';

/** A canvas the user draws on. */
export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | null = null;

  /**
   * @param canvas the drawing surface (its width/height attributes set the resolution)
   * @param onChange called while drawing (at most once per animation frame) and when a stroke ends
   * @param lineWidth stroke width as a fraction of the canvas width
   */
  constructor(readonly canvas: HTMLCanvasElement, private readonly onChange: (final: boolean) => void, lineWidth = 0.07) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.ctx.lineCap = 'round';
    this.ctx.lineJoin = 'round';
    this.ctx.lineWidth = canvas.width * lineWidth;
    this.clear();
    canvas.style.touchAction = 'none';
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel'] as const) canvas.addEventListener(type, () => this.up());
  }

  /** Wipes the pad white. */
  clear(): void {
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.ctx.strokeStyle = '#000';
  }

  /** The pad as a frame. */
  frame(): Frame {
    return { source: this.canvas, width: this.canvas.width, height: this.canvas.height };
  }

  private point(e: PointerEvent) {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.canvas.width, y: ((e.clientY - r.top) / r.height) * this.canvas.height };
  }

  private down(e: PointerEvent) {
    this.drawing = true;
    this.canvas.setPointerCapture?.(e.pointerId);
    this.last = this.point(e);
    this.stroke(this.last);
  }

  private move(e: PointerEvent) {
    if (!this.drawing) return;
    this.stroke(this.point(e));
    this.onChange(false);
  }

  private up() {
    if (!this.drawing) return;
    this.drawing = false;
    this.last = null;
    this.onChange(true);
  }

  private stroke(p: { x: number; y: number }) {
    const from = this.last ?? p;
    this.ctx.beginPath();
    this.ctx.moveTo(from.x, from.y);
    this.ctx.lineTo(p.x + 0.01, p.y);
    this.ctx.stroke();
    this.last = p;
  }
}
