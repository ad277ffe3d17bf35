// max_pool, avg_pool, l2_pool (iOS15 pool.py), 1-D and 2-D NCHW.
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, fromNumbers, isFloatDtype } from '../value.ts';
import { spatialPlan } from './padding.ts';

type PoolKind = 'max' | 'avg' | 'l2';

function pool(kind: PoolKind): Kernel {
  return (ctx: OpContext) => {
    const x = ctx.tensor('x');
    if (!isFloatDtype(x.dtype)) throw ctx.error(`x is ${x.dtype}; expected fp16/fp32`);
    const spatial = x.shape.length - 2;
    if (spatial !== 1 && spatial !== 2) throw ctx.error(`x has rank ${x.shape.length}; only 1-D and 2-D pooling are supported`);
    const kernel = ctx.ints('kernel_sizes');
    const strides = ctx.ints('strides', new Array(spatial).fill(1));
    const padType = ctx.str('pad_type');
    const pad = ctx.ints('pad', new Array(2 * spatial).fill(0));
    const ceilMode = kind === 'l2' ? false : ctx.bool('ceil_mode', false);
    const exclude = kind === 'avg' ? ctx.bool('exclude_padding_from_average', false) : false;
    const xs = x.shape.slice(2);
    const plan = spatialPlan(ctx, padType.toLowerCase(), xs, kernel, strides, pad, ceilMode);
    const two = (v: number[], fill: number): number[] => (v.length === 1 ? [fill, v[0]] : v);
    const [h, w] = two(xs, 1);
    const [kh, kw] = two(kernel, 1);
    const [sh, sw] = two(strides, 1);
    const [pt, pl] = two(plan.before, 0);
    const [pb, pr] = two(plan.after, 0);
    const [oh, ow] = two(plan.out, 1);
    const planes = x.shape[0] * x.shape[1];
    const a = asFloat32(x);
    const out = new Float64Array(planes * oh * ow);
    for (let p = 0; p < planes; p++) {
      const xb = p * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const y0 = oy * sh - pt;
        const y1 = y0 + kh;
        const ya = Math.max(0, y0);
        const yb = Math.min(h, y1);
        for (let ox = 0; ox < ow; ox++) {
          const x0 = ox * sw - pl;
          const x1 = x0 + kw;
          const xa = Math.max(0, x0);
          const xbnd = Math.min(w, x1);
          let acc = kind === 'max' ? -Infinity : 0;
          for (let iy = ya; iy < yb; iy++) {
            const row = xb + iy * w;
            for (let ix = xa; ix < xbnd; ix++) {
              const v = a[row + ix];
              if (kind === 'max') { if (v > acc || Number.isNaN(v)) acc = v; } else if (kind === 'avg') acc += v;
              else acc += v * v;
            }
          }
          let r = acc;
          if (kind === 'avg') {
            // Including padding counts window positions inside the padded extent (not those beyond it in ceil mode).
            const count = exclude
              ? (yb - ya) * (xbnd - xa)
              : (Math.min(y1, h + pb) - Math.max(y0, -pt)) * (Math.min(x1, w + pr) - Math.max(x0, -pl));
            r = acc / count;
          } else if (kind === 'l2') r = Math.sqrt(acc);
          out[(p * oh + oy) * ow + ox] = r;
        }
      }
    }
    return fromNumbers(x.dtype, [x.shape[0], x.shape[1], ...plan.out], out);
  };
}

/** Pooling kernels by op type. */
export const POOL_KERNELS: Record<string, Kernel> = { max_pool: pool('max'), avg_pool: pool('avg'), l2_pool: pool('l2') };
