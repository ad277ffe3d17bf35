// linear and matmul (iOS15 linear.py): sums accumulated in double, NumPy batch broadcasting for matmul.
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, fromNumbers, sizeOf, tensor, type RtTensor } from '../value.ts';
import { broadcastIndex, broadcastShapes } from './broadcast.ts';

function numeric(ctx: OpContext, t: RtTensor, name: string): void {
  if (t.dtype !== 'fp16' && t.dtype !== 'fp32' && t.dtype !== 'int32') throw ctx.error(`${name} is ${t.dtype}; expected fp16/fp32/int32`);
}

/** out[m, :] += a[m, k] · b[k, :] over row-major a (M×K, or K×M when `ta`) and b (K×N, or N×K when `tb`). */
function gemm(a: Float32Array, ao: number, b: Float32Array, bo: number, out: Float64Array | Float32Array, oo: number, M: number, K: number, N: number, ta: boolean, tb: boolean): void {
  if (tb) {
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? a[ao + k * M + m] : a[ao + m * K + k]) * b[bo + n * K + k];
      out[oo + m * N + n] += s;
    }
    return;
  }
  for (let m = 0; m < M; m++) {
    const orow = oo + m * N;
    for (let k = 0; k < K; k++) {
      const av = ta ? a[ao + k * M + m] : a[ao + m * K + k];
      const brow = bo + k * N;
      for (let n = 0; n < N; n++) out[orow + n] += av * b[brow + n];
    }
  }
}

/** linear: x · weightᵀ + bias over the last dim (weight [D_out, D_in]). */
const linear: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const weight = ctx.tensor('weight');
  numeric(ctx, x, 'x');
  if (weight.shape.length !== 2) throw ctx.error(`weight must be rank 2, got [${weight.shape}]`);
  const [dout, din] = weight.shape;
  const k = x.shape[x.shape.length - 1];
  if (k !== din) throw ctx.error(`x's last dim ${k} != weight's ${din}`);
  const biasT = ctx.optTensor('bias');
  const bias = biasT ? asFloat32(biasT) : undefined;
  if (bias && bias.length !== dout) throw ctx.error(`bias has ${bias.length} values, expected ${dout}`);
  const rows = sizeOf(x.shape) / k;
  const out = new Float64Array(rows * dout);
  const xv = asFloat32(x);
  const wv = asFloat32(weight);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < dout; o++) {
      let s = 0;
      const xb = r * k;
      const wb = o * k;
      for (let i = 0; i < k; i++) s += xv[xb + i] * wv[wb + i];
      out[r * dout + o] = s + (bias ? bias[o] : 0);
    }
  }
  return fromNumbers(x.dtype, [...x.shape.slice(0, -1), dout], out);
};

/** matmul with transpose_x / transpose_y (default false), rank-1 promotion and broadcast batch dims. */
const matmul: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const y = ctx.tensor('y');
  numeric(ctx, x, 'x');
  numeric(ctx, y, 'y');
  if (x.dtype !== y.dtype) throw ctx.error(`x is ${x.dtype} but y is ${y.dtype}`);
  const tx = ctx.bool('transpose_x', false);
  const ty = ctx.bool('transpose_y', false);
  const xr = x.shape.length;
  const yr = y.shape.length;
  if ((xr === 1 && tx) || (yr === 1 && ty)) throw ctx.error('transpose of a rank-1 operand');
  const xs = xr === 1 ? [1, x.shape[0]] : x.shape;
  const ys = yr === 1 ? [y.shape[0], 1] : y.shape;
  const M = tx ? xs[xs.length - 1] : xs[xs.length - 2];
  const K = tx ? xs[xs.length - 2] : xs[xs.length - 1];
  const K2 = ty ? ys[ys.length - 1] : ys[ys.length - 2];
  const N = ty ? ys[ys.length - 2] : ys[ys.length - 1];
  if (K !== K2) throw ctx.error(`inner dims differ: x [${x.shape}] y [${y.shape}]`);
  const batch = broadcastShapes(xs.slice(0, -2), ys.slice(0, -2));
  if (!batch) throw ctx.error(`batch dims of [${x.shape}] and [${y.shape}] do not broadcast`);
  const nb = sizeOf(batch);
  const ix = broadcastIndex(xs.slice(0, -2), batch);
  const iy = broadcastIndex(ys.slice(0, -2), batch);
  const xv = asFloat32(x);
  const yv = asFloat32(y);
  const out = new Float64Array(nb * M * N);
  for (let b = 0; b < nb; b++) {
    gemm(xv, (ix ? ix[b] : b) * M * K, yv, (iy ? iy[b] : b) * K * N, out, b * M * N, M, K, N, tx, ty);
  }
  const shape = [...batch, M, N];
  if (yr === 1) shape.splice(shape.length - 1, 1);
  if (xr === 1) shape.splice(shape.length - (yr === 1 ? 1 : 2), 1);
  const result = fromNumbers(x.dtype, shape, out);
  return x.dtype === 'int32' ? tensor('int32', shape, Int32Array.from(out)) : result;
};

/** Linear-algebra kernels by op type. */
export const LINEAR_KERNELS: Record<string, Kernel> = { linear, matmul };
