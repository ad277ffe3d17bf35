// conv and conv_transpose (iOS15 conv.py), 1-D and 2-D, NCHW: a packed GEMM for wide groups, direct row loops for depthwise.
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, isFloatDtype, tensor, type RtTensor } from '../value.ts';
import { spatialPlan } from './padding.ts';

/** Geometry of one 2-D convolution (1-D runs as height 1). */
interface ConvGeom {
  n: number; c: number; h: number; w: number;
  cout: number; cg: number; kh: number; kw: number; groups: number;
  sh: number; sw: number; dh: number; dw: number;
  pt: number; pl: number; oh: number; ow: number;
}

/** x and weight as 2-D (a 1-D op's rank-3 tensors get height 1). */
function spatialOf(ctx: OpContext, x: RtTensor, weight: RtTensor): { spatial: number; xs: number[]; ks: number[] } {
  const spatial = x.shape.length - 2;
  if (spatial !== 1 && spatial !== 2) throw ctx.error(`x has rank ${x.shape.length}; only 1-D and 2-D (rank 3 and 4) are supported`);
  if (weight.shape.length !== x.shape.length) throw ctx.error(`weight rank ${weight.shape.length} differs from x rank ${x.shape.length}`);
  return { spatial, xs: x.shape.slice(2), ks: weight.shape.slice(2) };
}

/** Pads `v` (one per spatial dim) to 2-D with `fill` in front for 1-D. */
const to2d = (v: number[], fill: number): number[] => (v.length === 1 ? [fill, v[0]] : v);

/** Adds `bias[co]` to every output plane, or zero-fills. */
function initOutput(out: Float32Array, bias: Float32Array | undefined, n: number, cout: number, plane: number): void {
  if (!bias) return;
  for (let b = 0; b < n; b++) for (let co = 0; co < cout; co++) out.fill(bias[co], (b * cout + co) * plane, (b * cout + co + 1) * plane);
}

/** Weights of one group packed for {@link packedConv}: blocks of 4 output channels, each K rows of 4 (zero-padded). */
function packWeights(w: Float32Array, gr: number, coutG: number, K: number): Float32Array {
  const blocks = Math.ceil(coutG / 4);
  const wp = new Float32Array(blocks * K * 4);
  for (let co = 0; co < coutG; co++) {
    const src = (gr * coutG + co) * K;
    const dst = (co >> 2) * K * 4 + (co & 3);
    for (let k = 0; k < K; k++) wp[dst + k * 4] = w[src + k];
  }
  return wp;
}

/**
 * Convolution as a packed GEMM: for every panel of 4 output positions the receptive fields are gathered into K×4
 * (im2col of the panel, zeros for padding), then each block of 4 output channels accumulates a 4×4 tile in doubles.
 */
function packedConv(x: Float32Array, w: Float32Array, out: Float32Array, g: ConvGeom): void {
  const { h, w: W, oh: OH, ow: OW, kh: KH, kw: KW, sh, sw, dh, dw, pt, pl, cg } = g;
  const coutG = g.cout / g.groups;
  const K = cg * KH * KW;
  const P = OH * OW;
  const xPlane = h * W;
  const blocks = Math.ceil(coutG / 4);
  const bp = new Float32Array(K * 4);
  const iy0 = new Int32Array(4);
  const ix0 = new Int32Array(4);
  const pointwise = KH === 1 && KW === 1 && sh === 1 && sw === 1 && pt === 0 && pl === 0 && OH === h && OW === W;
  for (let gr = 0; gr < g.groups; gr++) {
    const wp = packWeights(w, gr, coutG, K);
    for (let b = 0; b < g.n; b++) {
      const xb = (b * g.c + gr * cg) * xPlane;
      const ob = (b * g.cout + gr * coutG) * P;
      for (let p0 = 0; p0 < P; p0 += 4) {
        const valid = Math.min(4, P - p0);
        if (pointwise) {
          for (let k = 0; k < K; k++) {
            const src = xb + k * xPlane + p0;
            for (let j = 0; j < 4; j++) bp[k * 4 + j] = j < valid ? x[src + j] : 0;
          }
        } else {
          for (let j = 0; j < 4; j++) {
            const p = p0 + (j < valid ? j : 0);
            const oy = Math.floor(p / OW);
            iy0[j] = oy * sh - pt;
            ix0[j] = (p - oy * OW) * sw - pl;
          }
          let k = 0;
          for (let ci = 0; ci < cg; ci++) {
            const cb = xb + ci * xPlane;
            for (let ky = 0; ky < KH; ky++) {
              for (let kx = 0; kx < KW; kx++, k++) {
                for (let j = 0; j < 4; j++) {
                  const iy = iy0[j] + ky * dh;
                  const ix = ix0[j] + kx * dw;
                  bp[k * 4 + j] = j < valid && iy >= 0 && iy < h && ix >= 0 && ix < W ? x[cb + iy * W + ix] : 0;
                }
              }
            }
          }
        }
        for (let blk = 0; blk < blocks; blk++) {
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
          let wi = blk * K * 4;
          for (let bi = 0; bi < K * 4; bi += 4, wi += 4) {
            const w0 = wp[wi], w1 = wp[wi + 1], w2 = wp[wi + 2], w3 = wp[wi + 3];
            const b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
            c00 += w0 * b0; c01 += w0 * b1; c02 += w0 * b2; c03 += w0 * b3;
            c10 += w1 * b0; c11 += w1 * b1; c12 += w1 * b2; c13 += w1 * b3;
            c20 += w2 * b0; c21 += w2 * b1; c22 += w2 * b2; c23 += w2 * b3;
            c30 += w3 * b0; c31 += w3 * b1; c32 += w3 * b2; c33 += w3 * b3;
          }
          const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
          for (let r = 0; r < 4; r++) {
            const co = blk * 4 + r;
            if (co >= coutG) break;
            const o = ob + co * P + p0;
            for (let j = 0; j < valid; j++) out[o + j] += tile[r * 4 + j];
          }
        }
      }
    }
  }
}

/** Direct convolution: for every (co, ci, kh, kw) one multiply-add over each output row's valid span. */
function direct(x: Float32Array, w: Float32Array, out: Float32Array, g: ConvGeom): void {
  const { h, w: W, oh: OH, ow: OW, kh: KH, kw: KW, sh, sw, dh, dw, pt, pl, cg } = g;
  const coutG = g.cout / g.groups;
  const xPlane = h * W;
  const oPlane = OH * OW;
  // Valid output-column span for each kw: iw = ow*sw - pl + kw*dw in [0, W).
  const owStart = new Int32Array(KW);
  const owEnd = new Int32Array(KW);
  for (let kx = 0; kx < KW; kx++) {
    const off = kx * dw - pl;
    owStart[kx] = Math.max(0, Math.ceil(-off / sw));
    owEnd[kx] = Math.max(owStart[kx], Math.min(OW, Math.floor((W - 1 - off) / sw) + 1));
  }
  for (let b = 0; b < g.n; b++) {
    for (let gr = 0; gr < g.groups; gr++) {
      for (let cl = 0; cl < coutG; cl++) {
        const co = gr * coutG + cl;
        const ob = (b * g.cout + co) * oPlane;
        for (let cil = 0; cil < cg; cil++) {
          const ci = gr * cg + cil;
          const xb = (b * g.c + ci) * xPlane;
          const wb = (co * cg + cil) * KH * KW;
          // Row by row, so the output row being accumulated stays in cache across the kernel taps.
          for (let oy = 0; oy < OH; oy++) {
            const orow = ob + oy * OW;
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < KW; kx++) {
                const wv = w[wb + ky * KW + kx];
                const s0 = owStart[kx];
                const s1 = owEnd[kx];
                const irow = xb + iy * W + kx * dw - pl;
                if (sw === 1) for (let ox = s0; ox < s1; ox++) out[orow + ox] += wv * x[irow + ox];
                else for (let ox = s0; ox < s1; ox++) out[orow + ox] += wv * x[irow + ox * sw];
              }
            }
          }
        }
      }
    }
  }
}

/** Reads and checks the float operands: x, weight, optional bias (all of one float dtype). */
function operands(ctx: OpContext): { x: RtTensor; weight: RtTensor; bias?: Float32Array } {
  const x = ctx.tensor('x');
  const weight = ctx.tensor('weight');
  if (!isFloatDtype(x.dtype)) throw ctx.error(`x is ${x.dtype}; expected fp16/fp32`);
  if (weight.dtype !== x.dtype) throw ctx.error(`weight is ${weight.dtype} but x is ${x.dtype}`);
  const biasT = ctx.optTensor('bias');
  if (biasT && biasT.dtype !== x.dtype) throw ctx.error(`bias is ${biasT.dtype} but x is ${x.dtype}`);
  return { x, weight, bias: biasT && asFloat32(biasT) };
}

/** conv: weight [C_out, C_in/groups, *K]; strides, pad_type ('valid'), pad, dilations, groups (1), bias. */
const conv: Kernel = (ctx) => {
  const { x, weight, bias } = operands(ctx);
  const { spatial, xs, ks } = spatialOf(ctx, x, weight);
  const strides = ctx.ints('strides', new Array(spatial).fill(1));
  const dilations = ctx.ints('dilations', new Array(spatial).fill(1));
  const groups = ctx.num('groups', 1);
  const padType = ctx.str('pad_type', 'valid');
  const pad = ctx.ints('pad', new Array(2 * spatial).fill(0));
  const [n, c] = x.shape;
  const cout = weight.shape[0];
  if (c % groups !== 0 || weight.shape[1] !== c / groups) throw ctx.error(`C_in ${c} / groups ${groups} != weight.shape[1] ${weight.shape[1]}`);
  if (cout % groups !== 0) throw ctx.error(`C_out ${cout} is not divisible by groups ${groups}`);
  if (bias && bias.length !== cout) throw ctx.error(`bias has ${bias.length} values for ${cout} output channels`);
  const eff = ks.map((k, i) => (k - 1) * dilations[i] + 1);
  const plan = spatialPlan(ctx, padType, xs, eff, strides, pad);
  const [h, w] = to2d(xs, 1);
  const [kh, kw] = to2d(ks, 1);
  const [sh, sw] = to2d(strides, 1);
  const [dh, dw] = to2d(dilations, 1);
  const [pt, pl] = to2d(plan.before, 0);
  const [oh, ow] = to2d(plan.out, 1);
  const g: ConvGeom = { n, c, h, w, cout, cg: c / groups, kh, kw, groups, sh, sw, dh, dw, pt, pl, oh, ow };
  const out = new Float32Array(n * cout * oh * ow);
  initOutput(out, bias, n, cout, oh * ow);
  const xv = asFloat32(x);
  const wv = asFloat32(weight);
  // Depthwise and other thin groups run direct loops; wider ones a packed GEMM.
  if (c / groups >= 4 && cout / groups >= 4) packedConv(xv, wv, out, g);
  else direct(xv, wv, out, g);
  return tensor(x.dtype, [n, cout, ...plan.out], out);
};

/**
 * conv_transpose: weight [C_in, C_out/groups, *K]; out[o] += x[i] · w[k] at o = i·stride + k·dilation − pad_before.
 * Output size: output_shape if given, else (valid) (I−1)·s + K_eff, (same) I·s with pad_before = floor(max(0, K_eff − s)/2),
 * (custom) (I−1)·s + K_eff − pad[2i] − pad[2i+1].
 */
const convTranspose: Kernel = (ctx) => {
  const { x, weight, bias } = operands(ctx);
  const { spatial, xs, ks } = spatialOf(ctx, x, weight);
  const strides = ctx.ints('strides', new Array(spatial).fill(1));
  const dilations = ctx.ints('dilations', new Array(spatial).fill(1));
  const groups = ctx.num('groups', 1);
  const padType = ctx.str('pad_type', 'valid');
  const pad = ctx.ints('pad', new Array(2 * spatial).fill(0));
  const outputShape = ctx.has('output_shape') ? ctx.ints('output_shape') : undefined;
  const [n, c] = x.shape;
  if (weight.shape[0] !== c) throw ctx.error(`weight.shape[0] ${weight.shape[0]} != C_in ${c}`);
  if (c % groups !== 0) throw ctx.error(`C_in ${c} is not divisible by groups ${groups}`);
  const coutG = weight.shape[1];
  const cout = coutG * groups;
  if (bias && bias.length !== cout) throw ctx.error(`bias has ${bias.length} values for ${cout} output channels`);
  const eff = ks.map((k, i) => (k - 1) * dilations[i] + 1);
  const before: number[] = [];
  let outSizes: number[] = [];
  for (let r = 0; r < spatial; r++) {
    const i = xs[r];
    const s = strides[r];
    if (padType === 'same') {
      before.push(Math.floor(Math.max(0, eff[r] - s) / 2));
      outSizes.push(i * s);
    } else if (padType === 'valid') {
      before.push(0);
      outSizes.push((i - 1) * s + eff[r]);
    } else if (padType === 'custom') {
      if (pad.length !== 2 * spatial) throw ctx.error(`pad has ${pad.length} values, expected ${2 * spatial}`);
      before.push(pad[2 * r]);
      outSizes.push((i - 1) * s + eff[r] - pad[2 * r] - pad[2 * r + 1]);
    } else throw ctx.error(`unknown pad_type '${padType}' (valid, same, custom)`);
  }
  if (outputShape) {
    const spatialOut = outputShape.length === spatial + 2 ? outputShape.slice(2) : outputShape;
    if (spatialOut.length !== spatial) throw ctx.error(`output_shape [${outputShape}] does not fit a ${spatial}-D input`);
    outSizes = spatialOut;
  }
  const [h, w] = to2d(xs, 1);
  const [kh, kw] = to2d(ks, 1);
  const [sh, sw] = to2d(strides, 1);
  const [dh, dw] = to2d(dilations, 1);
  const [pt, pl] = to2d(before, 0);
  const [oh, ow] = to2d(outSizes, 1);
  const cg = c / groups;
  const out = new Float32Array(n * cout * oh * ow);
  initOutput(out, bias, n, cout, oh * ow);
  const xv = asFloat32(x);
  const wv = asFloat32(weight);
  const xPlane = h * w;
  const oPlane = oh * ow;
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < c; ci++) {
      const gr = Math.floor(ci / cg);
      const xb = (b * c + ci) * xPlane;
      for (let cl = 0; cl < coutG; cl++) {
        const co = gr * coutG + cl;
        const ob = (b * cout + co) * oPlane;
        const wb = (ci * coutG + cl) * kh * kw;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const wt = wv[wb + ky * kw + kx];
            const colOff = kx * dw - pl;
            for (let iy = 0; iy < h; iy++) {
              const oy = iy * sh + ky * dh - pt;
              if (oy < 0 || oy >= oh) continue;
              const orow = ob + oy * ow;
              const irow = xb + iy * w;
              for (let ix = 0; ix < w; ix++) {
                const ox = ix * sw + colOff;
                if (ox >= 0 && ox < ow) out[orow + ox] += wt * xv[irow + ix];
              }
            }
          }
        }
      }
    }
  }
  return tensor(x.dtype, [n, cout, ...outSizes], out);
};

/** Convolution kernels by op type. */
export const CONV_KERNELS: Record<string, Kernel> = { conv, conv_transpose: convTranspose };
