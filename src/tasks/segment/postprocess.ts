// A segment task's whole post-processing: the mask output → foreground probability at the frame's size → the chosen effect.
import type { HostTensor } from '../../ir/host-tensor.ts';
import type { SegmentTask } from '../task.ts';
import { blurBackground, overlayMask, replaceBackground, type Rgb, type RgbaImage } from './composite.ts';
import { foregroundProbability, maskGeometry, resizeMask, type Mask } from './mask.ts';

/**
 * The foreground probability at `width`×`height` (the frame) from the model's outputs: the task's `output` (default the
 * only or first output), its layout read from the dims, the task's activation and foreground channel, bilinear resize.
 */
export function segmentPostprocess(task: SegmentTask, outputs: Readonly<Record<string, Pick<HostTensor, 'data' | 'dims'>>>, width: number, height: number): Mask {
  const name = task.output ?? Object.keys(outputs)[0];
  const t = outputs[name];
  if (!t) throw new Error(`segment: the model has no output '${name}' (it has ${Object.keys(outputs).join(', ') || 'none'})`);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) throw new Error(`segment: output '${name}' holds 64-bit integers, not a mask`);
  const prob = foregroundProbability(t.data, maskGeometry(t.dims), { activation: task.activation, foregroundChannel: task.foregroundChannel });
  return prob.width === width && prob.height === height ? prob : resizeMask(prob, width, height);
}

/** Effect parameters beyond the task file. */
export interface EffectOptions {
  /** overlay: tint colour (default [0, 160, 255]) and opacity (0.5). */
  color?: Rgb;
  opacity?: number;
  /** blur: box radius (default 8). */
  radius?: number;
  /** replace: a colour or an image of the frame's size (default green [0, 177, 64]). */
  background?: Rgb | RgbaImage;
}

/**
 * The task's effect (default 'blur') applied with `mask` (a probability: soft edges; threshold it first for hard ones).
 */
export function applyEffect(task: SegmentTask, frame: RgbaImage, mask: Mask, options: EffectOptions = {}): RgbaImage {
  const effect = task.effect ?? 'blur';
  if (effect === 'overlay') return overlayMask(frame, mask, options.color, options.opacity);
  if (effect === 'replace') return replaceBackground(frame, mask, options.background ?? [0, 177, 64]);
  return blurBackground(frame, mask, options.radius);
}
