// Constants: const, constexpr_affine_dequantize (iOS16), constexpr_blockwise_shift_scale (iOS18), constexpr_cast (iOS16).
import type { Kernel, OpContext } from '../context.ts';
import { roundHalfInPlace } from '../half.ts';
import { asFloat32, fromMilValue, fromNumbers, sizeOf, stridesOf, tensor, type RtTensor } from '../value.ts';

/** const: the `val` attribute. */
const constOp: Kernel = (ctx) => {
  const val = ctx.op.attributes.val;
  if (!val) throw ctx.error("const without a 'val' attribute");
  return fromMilValue(val);
};

function quantizedValues(ctx: OpContext, t: RtTensor, name: string, allowed: string[]): Float32Array {
  if (!allowed.includes(t.dtype)) throw ctx.error(`${name} is ${t.dtype}; expected ${allowed.join('/')}`);
  return asFloat32(t);
}

/** scale · (quantized_data − zero_point), scale and zero_point scalars or vectors along `axis`; output in scale's dtype. */
const affineDequantize: Kernel = (ctx) => {
  const q = ctx.tensor('quantized_data');
  const zp = ctx.tensor('zero_point');
  const scale = ctx.tensor('scale');
  const rank = q.shape.length;
  let axis = ctx.num('axis');
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) throw ctx.error(`axis ${ctx.num('axis')} out of range for rank ${rank}`);
  if (scale.dtype !== 'fp16' && scale.dtype !== 'fp32') throw ctx.error(`scale is ${scale.dtype}; expected fp16/fp32`);
  const qv = quantizedValues(ctx, q, 'quantized_data', ['int8', 'uint8']);
  const zv = quantizedValues(ctx, zp, 'zero_point', ['int8', 'uint8', 'fp32']);
  const sv = asFloat32(scale);
  const dim = q.shape[axis];
  for (const [name, v, t] of [['scale', sv, scale], ['zero_point', zv, zp]] as const) {
    if (t.shape.length > 1 || (t.shape.length === 1 && v.length !== dim && v.length !== 1)) throw ctx.error(`${name} [${t.shape}] must be a scalar or a vector of ${dim}`);
  }
  const inner = sizeOf(q.shape.slice(axis + 1));
  const out = new Float64Array(qv.length);
  for (let i = 0; i < qv.length; i++) {
    const c = Math.floor(i / inner) % dim;
    const s = sv.length === 1 ? sv[0] : sv[c];
    const z = zv.length === 1 ? zv[0] : zv[c];
    out[i] = Math.fround(qv[i] - z) * s;
  }
  return fromNumbers(scale.dtype, [...q.shape], Float32Array.from(out));
};

/**
 * scale · (data − offset) with scale/offset blocks: block_size[d] = data.shape[d] / scale.shape[d]; computed in scale's
 * dtype as coremltools does (data − offset rounded to it first).
 */
const blockwiseShiftScale: Kernel = (ctx) => {
  const data = ctx.tensor('data');
  const scale = ctx.tensor('scale');
  const offset = ctx.optTensor('offset');
  if (scale.dtype !== 'fp16' && scale.dtype !== 'fp32') throw ctx.error(`scale is ${scale.dtype}; expected fp16/fp32`);
  const dv = quantizedValues(ctx, data, 'data', ['int4', 'uint4', 'int8', 'uint8', 'fp16', 'fp32']);
  const rank = data.shape.length;
  if (scale.shape.length !== rank) throw ctx.error(`scale rank ${scale.shape.length} != data rank ${rank}`);
  const blocks = data.shape.map((d, i) => {
    if (d % scale.shape[i] !== 0) throw ctx.error(`data dim ${i} (${d}) is not a multiple of scale's (${scale.shape[i]})`);
    return d / scale.shape[i];
  });
  if (offset && offset.shape.join(',') !== scale.shape.join(',')) throw ctx.error(`offset [${offset.shape}] must have scale's shape [${scale.shape}]`);
  const sv = asFloat32(scale);
  const ov = offset ? asFloat32(offset) : undefined;
  const sStrides = stridesOf(scale.shape);
  const n = dv.length;
  const diff = new Float32Array(n);
  const sIndex = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let si = 0;
    for (let d = 0; d < rank; d++) si += Math.floor(counter[d] / blocks[d]) * sStrides[d];
    sIndex[i] = si;
    diff[i] = ov ? dv[i] - ov[si] : dv[i];
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < data.shape[d]) break;
      counter[d] = 0;
    }
  }
  if (scale.dtype === 'fp16') roundHalfInPlace(diff);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = sv[sIndex[i]] * diff[i];
  return tensor(scale.dtype, [...data.shape], out);
};

/** constexpr_cast: source_val (fp16) → output_dtype (fp32). */
const constexprCast: Kernel = (ctx) => {
  const src = ctx.tensor('source_val');
  const to = ctx.str('output_dtype');
  if (to !== 'fp32' && to !== 'fp16') throw ctx.error(`output_dtype '${to}'; expected fp32`);
  return fromNumbers(to, [...src.shape], asFloat32(src));
};

/** Constant kernels by op type. */
export const CONSTEXPR_KERNELS: Record<string, Kernel> = {
  const: constOp,
  constexpr_affine_dequantize: affineDequantize,
  constexpr_blockwise_shift_scale: blockwiseShiftScale,
  constexpr_cast: constexprCast,
};
