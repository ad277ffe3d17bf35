// Inference for Resize (scales or sizes, optional axes and aspect-ratio policy) and the older Upsample.
import type { Dim } from '../graph.ts';
import { formatShape, normAxis, type InferContext, type InferResult, type OpTable } from './common.ts';

/** Output dims from per-axis scales: floor(in * scale); a scale of 1 keeps symbolic dims. */
function scaled(shape: Dim[], scales: number[], axes: number[]): Dim[] {
  const out = [...shape];
  axes.forEach((a, i) => {
    const d = shape[a];
    out[a] = scales[i] === 1 ? d : typeof d === 'number' ? Math.floor(d * scales[i]) : null;
  });
  return out;
}

/** A roi/scales/sizes input whose values are not known yet must still be 1-D with `n` entries (or empty: omitted). */
function checkVector(ctx: InferContext, i: number, n: number, what: string): void {
  const shape = ctx.has(i) ? ctx.input(i)?.shape : undefined;
  if (!shape) return;
  if (shape.length !== 1 || (typeof shape[0] === 'number' && shape[0] !== 0 && shape[0] !== n)) {
    ctx.fail(`${what} ${formatShape(shape)} must be 1-D with ${n} entries`);
  }
}

function resize(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [x && { dtype: x.dtype }];
  const rank = x.shape.length;
  // Opset 10 has (X, scales); 11+ has (X, roi, scales, sizes).
  const legacy = ctx.opset > 0 && ctx.opset < 11;
  const scalesAt = legacy ? 1 : 2;
  const axes = (ctx.attrInts('axes') ?? x.shape.map((_, i) => i)).map((a) => normAxis(ctx, a, rank));
  checkVector(ctx, scalesAt, axes.length, 'scales');
  if (!legacy) {
    checkVector(ctx, 1, 2 * axes.length, 'roi');
    checkVector(ctx, 3, axes.length, 'sizes');
  }
  const sizes = !legacy && ctx.has(3) ? ctx.ints(3) : undefined;
  const scales = ctx.has(scalesAt) ? ctx.floats(scalesAt) : undefined;
  if (sizes && sizes.length > 0) {
    if (sizes.length !== axes.length) ctx.fail(`sizes has ${sizes.length} entries for ${axes.length} axes of ${formatShape(x.shape)}`);
    const policy = ctx.attrString('keep_aspect_ratio_policy', 'stretch');
    const out = [...x.shape];
    if (policy === 'stretch') {
      axes.forEach((a, i) => (out[a] = sizes[i]));
      return [{ dtype: x.dtype, shape: out }];
    }
    if (policy !== 'not_larger' && policy !== 'not_smaller') ctx.fail(`unknown keep_aspect_ratio_policy '${policy}'`);
    const ratios = axes.map((a, i) => (typeof sizes[i] === 'number' && typeof x.shape![a] === 'number' ? (sizes[i] as number) / (x.shape![a] as number) : NaN));
    if (ratios.some(Number.isNaN)) return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (axes.includes(i) ? null : d)) }];
    const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    axes.forEach((a) => (out[a] = Math.floor((x.shape![a] as number) * scale + 0.5)));
    return [{ dtype: x.dtype, shape: out }];
  }
  if (scales && scales.length > 0) {
    if (scales.length !== axes.length) ctx.fail(`scales has ${scales.length} entries for ${axes.length} axes of ${formatShape(x.shape)}`);
    return [{ dtype: x.dtype, shape: scaled(x.shape, scales, axes) }];
  }
  return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
}

function upsample(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [x && { dtype: x.dtype }];
  checkVector(ctx, 1, x.shape.length, 'scales');
  const scales = ctx.has(1) ? ctx.floats(1) : ctx.attrFloats('scales');
  if (!scales) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  if (scales.length !== x.shape.length) ctx.fail(`scales has ${scales.length} entries for rank ${x.shape.length}`);
  return [{ dtype: x.dtype, shape: scaled(x.shape, scales, scales.map((_, i) => i)) }];
}

export const resizeOps: OpTable = {
  Resize: resize,
  Upsample: upsample,
};
