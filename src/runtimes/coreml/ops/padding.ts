// Spatial padding and output sizes of conv and pooling, as coremltools' aggregated_pad / spatial_dimensions_out_shape.
import type { OpContext } from '../context.ts';

/** Per spatial dim: padding before and after, and the output size. */
export interface SpatialPlan {
  before: number[];
  after: number[];
  out: number[];
}

/**
 * Padding for `pad_type` valid / same / same_lower / custom over spatial `inSizes` with effective (dilated) kernel
 * sizes: same pads `max(0, s*ceil(i/s) - i + k - s)` in total, the odd element after (same) or before (same_lower).
 * Output `floor((i + pad - k) / s) + 1`, or with `ceilMode` as coremltools computes it for pooling.
 */
export function spatialPlan(ctx: OpContext, padType: string, inSizes: number[], kernel: number[], strides: number[], customPad: number[], ceilMode = false): SpatialPlan {
  const rank = inSizes.length;
  if (kernel.length !== rank || strides.length !== rank) throw ctx.error(`kernel (${kernel.length}) and strides (${strides.length}) must have one value per spatial dim (${rank})`);
  const before: number[] = [];
  const after: number[] = [];
  const out: number[] = [];
  for (let r = 0; r < rank; r++) {
    const i = inSizes[r];
    const k = kernel[r];
    const s = strides[r];
    let b = 0;
    let a = 0;
    if (padType === 'same' || padType === 'same_lower') {
      const total = Math.max(0, s * Math.ceil(i / s) - i + k - s);
      b = padType === 'same' ? Math.floor(total / 2) : Math.ceil(total / 2);
      a = total - b;
    } else if (padType === 'custom') {
      if (customPad.length !== 2 * rank) throw ctx.error(`pad has ${customPad.length} values, expected ${2 * rank}`);
      b = customPad[2 * r];
      a = customPad[2 * r + 1];
    } else if (padType !== 'valid') {
      throw ctx.error(`unknown pad_type '${padType}' (valid, same, same_lower, custom)`);
    }
    const pad = b + a;
    let o: number;
    if (!ceilMode) o = Math.floor((i + pad - k) / s + 1);
    else {
      o = Math.floor((i + pad - k + s - 1) / s + 1);
      if ((o - 1) * s >= i + pad / 2 && pad > 0) o -= 1;
    }
    if (o <= 0) throw ctx.error(`spatial dim ${r} has invalid output size ${o}`);
    before.push(b);
    after.push(a);
    out.push(o);
  }
  return { before, after, out };
}
