// Recognises nearest-neighbour upsampling spelled Pack(Pack(x × sw, axis 3) × sh, axis 2) → Reshape, as one NCHW Resize.
import { attrInt, type Node } from '../../../ir/graph.ts';
import { str, TO_NCHW, TO_NHWC, type TfjsLiftContext } from '../context.ts';
import { normAxis, tfProducer } from './common.ts';

/** `value` as a Pack of one input repeated (count ≥ 2) along `axis` of a rank-`rank` output, else undefined. */
function repeatedPack(ctx: TfjsLiftContext, value: string, axis: number, rank: number): { input: string; count: number } | undefined {
  const p = tfProducer(ctx, value);
  if (p?.op !== 'Pack' || p.inputs.length < 2 || p.inputs.some((i) => i !== p.inputs[0])) return undefined;
  if (normAxis(attrInt(p, 'axis', 0), rank) !== axis) return undefined;
  return { input: p.inputs[0], count: p.inputs.length };
}

/**
 * Lifts `reshape` as Resize (nearest, integer scales) when it ends the TF Object Detection API's nearest-neighbour
 * upsampling: x [n, h, w, c] stacked sw times on axis 3, that sh times on axis 2, reshaped to [n, h·sh, w·sw, c].
 * A Resize computes NCHW like the convolutions around it, so no Transposes stay around the FPN's adds. Returns false
 * (emitting nothing) when the pattern does not match.
 */
export function liftStackedUpsampling(ctx: TfjsLiftContext, reshape: Node): boolean {
  const outer = repeatedPack(ctx, reshape.inputs[0], 2, 6);
  const inner = outer && repeatedPack(ctx, outer.input, 3, 5);
  if (!outer || !inner) return false;
  const dims = ctx.dims(inner.input);
  const target = ctx.knownInts(reshape.inputs[1]);
  if (!dims || dims.length !== 4 || !target || target.length !== 4) return false;
  const [n, h, w, c] = dims;
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') return false;
  if (target[1] !== h * outer.count || target[2] !== w * inner.count || target[3] !== c || !(target[0] === -1 || target[0] === n)) return false;
  const scales = ctx.addConstant('scales', 'float32', [4], Float32Array.of(1, 1, outer.count, inner.count));
  const y = ctx.emit('Resize', [ctx.transpose(inner.input, TO_NCHW), '', scales], { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') });
  ctx.transpose(y, TO_NHWC, reshape.outputs[0]);
  return true;
}
