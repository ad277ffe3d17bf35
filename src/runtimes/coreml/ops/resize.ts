// Image resizing over the last two dims (iOS15 image_resizing.py, iOS16 upsample_bilinear half_pixel_centers): grid points as coremltools documents them.
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, fromNumbers, isFloatDtype, sizeOf, type RtTensor } from '../value.ts';

function floatX(ctx: OpContext): RtTensor {
  const x = ctx.tensor('x');
  if (!isFloatDtype(x.dtype)) throw ctx.error(`x is ${x.dtype}; expected fp16/fp32`);
  if (x.shape.length < 3) throw ctx.error(`x must be rank 3 or more, got rank ${x.shape.length}`);
  return x;
}

/** Source index along one axis for nearest-neighbour output index `o`. */
type NearestMap = (o: number) => number;

function nearest(x: RtTensor, oh: number, ow: number, mapY: NearestMap, mapX: NearestMap): RtTensor {
  const r = x.shape.length;
  const h = x.shape[r - 2];
  const w = x.shape[r - 1];
  const planes = sizeOf(x.shape.slice(0, -2));
  const a = asFloat32(x);
  const out = new Float32Array(planes * oh * ow);
  const ys = Int32Array.from({ length: oh }, (_, i) => Math.min(h - 1, Math.max(0, mapY(i))));
  const xs = Int32Array.from({ length: ow }, (_, i) => Math.min(w - 1, Math.max(0, mapX(i))));
  for (let p = 0; p < planes; p++) for (let i = 0; i < oh; i++) {
    const src = p * h * w + ys[i] * w;
    const dst = (p * oh + i) * ow;
    for (let j = 0; j < ow; j++) out[dst + j] = a[src + xs[j]];
  }
  return fromNumbers(x.dtype, [...x.shape.slice(0, -2), oh, ow], out);
}

/** Bilinear interpolation at the given (already clamped) fractional source positions. */
function bilinear(x: RtTensor, gy: Float64Array, gx: Float64Array): RtTensor {
  const r = x.shape.length;
  const h = x.shape[r - 2];
  const w = x.shape[r - 1];
  const oh = gy.length;
  const ow = gx.length;
  const planes = sizeOf(x.shape.slice(0, -2));
  const a = asFloat32(x);
  const out = new Float64Array(planes * oh * ow);
  const y0 = Int32Array.from(gy, Math.floor);
  const x0 = Int32Array.from(gx, Math.floor);
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let i = 0; i < oh; i++) {
      const fy = gy[i] - y0[i];
      const r0 = base + y0[i] * w;
      const r1 = base + Math.min(h - 1, y0[i] + 1) * w;
      for (let j = 0; j < ow; j++) {
        const fx = gx[j] - x0[j];
        const c0 = x0[j];
        const c1 = Math.min(w - 1, c0 + 1);
        const top = a[r0 + c0] * (1 - fx) + a[r0 + c1] * fx;
        const bottom = a[r1 + c0] * (1 - fx) + a[r1 + c1] * fx;
        out[(p * oh + i) * ow + j] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return fromNumbers(x.dtype, [...x.shape.slice(0, -2), oh, ow], out);
}

/** Grid points of one axis, clamped to [0, in−1]. */
function grid(inSize: number, outSize: number, point: (i: number) => number): Float64Array {
  return Float64Array.from({ length: outSize }, (_, i) => Math.min(inSize - 1, Math.max(0, point(i))));
}

/** resize_bilinear's sampling modes (coremltools' Notes): the grid point of output index i. */
function samplingGrid(ctx: OpContext, mode: string, xin: number, xout: number): Float64Array {
  switch (mode) {
    case 'STRICT_ALIGN_CORNERS':
      return grid(xin, xout, (i) => (xout === 1 ? 0 : (i * (xin - 1)) / (xout - 1)));
    case 'ALIGN_CORNERS':
      return grid(xin, xout, (i) => (xout === 1 ? (xin - 1) / 2 : (i * (xin - 1)) / (xout - 1)));
    case 'DEFAULT':
      return grid(xin, xout, (i) => (xout === 1 ? 0 : (i * (xin - xin / xout)) / (xout - 1)));
    case 'OFFSET_CORNERS': {
      const delta = Math.max(1, xin - 1) / xout;
      return grid(xin, xout, (i) => 0.5 * delta + i * delta);
    }
    case 'UNALIGN_CORNERS': {
      const spacing = xin / xout;
      return grid(xin, xout, (i) => i * spacing + 0.5 * spacing - 0.5);
    }
    default:
      throw ctx.error(`unknown sampling_mode '${mode}' (STRICT_ALIGN_CORNERS, ALIGN_CORNERS, DEFAULT, OFFSET_CORNERS, UNALIGN_CORNERS; half-pixel sampling is UNALIGN_CORNERS)`);
  }
}

/** upsample_nearest_neighbor: output floor(size · scale); source floor(o / scale). */
const upsampleNearest: Kernel = (ctx) => {
  const x = floatX(ctx);
  const sh = ctx.num('scale_factor_height', 1);
  const sw = ctx.num('scale_factor_width', 1);
  const r = x.shape.length;
  const oh = Math.floor(x.shape[r - 2] * sh);
  const ow = Math.floor(x.shape[r - 1] * sw);
  return nearest(x, oh, ow, (i) => Math.floor(i / sh), (j) => Math.floor(j / sw));
};

/** resize_nearest_neighbor: target sizes; source floor(o · in / out). */
const resizeNearest: Kernel = (ctx) => {
  const x = floatX(ctx);
  const oh = ctx.num('target_size_height');
  const ow = ctx.num('target_size_width');
  const r = x.shape.length;
  const h = x.shape[r - 2];
  const w = x.shape[r - 1];
  return nearest(x, oh, ow, (i) => Math.floor((i * h) / oh), (j) => Math.floor((j * w) / ow));
};

/**
 * upsample_bilinear: output floor(size · scale), the scale recomputed from the sizes; align_corners (default true) samples
 * i·(in−1)/(out−1); otherwise half_pixel_centers (iOS16, default !align_corners) samples (i + 0.5)·in/out − 0.5, else i·in/out.
 */
const upsampleBilinear: Kernel = (ctx) => {
  const x = floatX(ctx);
  const sh = ctx.num('scale_factor_height', 1);
  const sw = ctx.num('scale_factor_width', 1);
  const alignCorners = ctx.bool('align_corners', true);
  const halfPixel = ctx.bool('half_pixel_centers', !alignCorners);
  const r = x.shape.length;
  const h = x.shape[r - 2];
  const w = x.shape[r - 1];
  const oh = Math.floor(h * sh);
  const ow = Math.floor(w * sw);
  const axis = (xin: number, xout: number): Float64Array => {
    if (alignCorners) return grid(xin, xout, (i) => (xout === 1 ? 0 : (i * (xin - 1)) / (xout - 1)));
    const spacing = xin / xout;
    return halfPixel ? grid(xin, xout, (i) => i * spacing + 0.5 * spacing - 0.5) : grid(xin, xout, (i) => i * spacing);
  };
  return bilinear(x, axis(h, oh), axis(w, ow));
};

/** resize_bilinear: target sizes (default 1) and sampling_mode (default DEFAULT). */
const resizeBilinear: Kernel = (ctx) => {
  const x = floatX(ctx);
  const oh = ctx.num('target_size_height', 1);
  const ow = ctx.num('target_size_width', 1);
  const mode = ctx.str('sampling_mode', 'DEFAULT');
  const r = x.shape.length;
  return bilinear(x, samplingGrid(ctx, mode, x.shape[r - 2], oh), samplingGrid(ctx, mode, x.shape[r - 1], ow));
};

/** Resizing kernels by op type. */
export const RESIZE_KERNELS: Record<string, Kernel> = {
  upsample_nearest_neighbor: upsampleNearest,
  resize_nearest_neighbor: resizeNearest,
  upsample_bilinear: upsampleBilinear,
  resize_bilinear: resizeBilinear,
};
