// Elementwise MIL ops (iOS15 elementwise_unary/elementwise_binary, select, cast): NumPy broadcasting, results in the output dtype.
import type { MilDtype } from '../../../formats/coreml/program.ts';
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, floatOut, fromNumbers, isFloatDtype, tensor, type RtTensor } from '../value.ts';
import { broadcastIndex, broadcastPlan, broadcastShapes, forEachRun } from './broadcast.ts';
import { erf } from './math.ts';

type Num = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A numeric tensor's data as an indexable array. */
function nums(ctx: OpContext, t: RtTensor): Num {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Float64Array || d instanceof Int32Array || d instanceof Uint8Array) return d;
  throw ctx.error(`cannot compute on a ${t.dtype} tensor`);
}

/** Unary float functions: x → y, computed in double and stored in the output dtype. */
const UNARY: Record<string, (x: number) => number> = {
  exp: Math.exp,
  exp2: (x) => 2 ** x,
  sqrt: Math.sqrt,
  floor: Math.floor,
  ceil: Math.ceil,
  // NumPy round: half to even ("0.5 is rounded to 0").
  round: (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  atanh: Math.atanh,
  erf,
};

/** Unary ops that also take int32 (abs, sign, square). */
const UNARY_WITH_INT: Record<string, (x: number) => number> = {
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  square: (x) => x * x,
};

function unaryKernel(f: (x: number) => number, allowInt: boolean): Kernel {
  return (ctx) => {
    const x = ctx.tensor('x');
    if (!isFloatDtype(x.dtype) && !(allowInt && x.dtype === 'int32')) throw ctx.error(`x is ${x.dtype}; expected fp16/fp32${allowInt ? '/int32' : ''}`);
    const a = nums(ctx, x);
    const out = x.dtype === 'int32' ? new Int32Array(a.length) : floatOut(x.dtype, a.length);
    for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
    return tensor(x.dtype, [...x.shape], out);
  };
}

/** An op with an `epsilon` (default per coremltools, in x's dtype): y = f(x + epsilon). */
function epsilonKernel(f: (x: number) => number, defaultEpsilon: number): Kernel {
  return (ctx) => {
    const x = ctx.tensor('x');
    if (!isFloatDtype(x.dtype)) throw ctx.error(`x is ${x.dtype}; expected fp16/fp32`);
    const eps = fromNumbers(x.dtype, [], [ctx.num('epsilon', defaultEpsilon)]).data[0] as number;
    const a = nums(ctx, x);
    const out = floatOut(x.dtype, a.length);
    for (let i = 0; i < a.length; i++) out[i] = f(a[i] + eps);
    return tensor(x.dtype, [...x.shape], out);
  };
}

/** Python's modulo (sign of the divisor), as coremltools' `operator.mod`. */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

const ARITH: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  real_div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: (a, b) => (a > b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a < b || Number.isNaN(a) ? a : b),
  floor_div: (a, b) => Math.floor(a / b),
  mod: pyMod,
};

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  equal: (a, b) => a === b,
  not_equal: (a, b) => a !== b,
  less: (a, b) => a < b,
  less_equal: (a, b) => a <= b,
  greater: (a, b) => a > b,
  greater_equal: (a, b) => a >= b,
};

const LOGICAL: Record<string, (a: boolean, b: boolean) => boolean> = {
  logical_and: (a, b) => a && b,
  logical_or: (a, b) => a || b,
  logical_xor: (a, b) => a !== b,
};

/** coremltools' type promotion for two operand types (fp16 with fp32 → fp32; int32 with a float → the float). */
function promote(ctx: OpContext, a: MilDtype, b: MilDtype): MilDtype {
  if (a === b) return a;
  const rank: Partial<Record<MilDtype, number>> = { bool: 0, int32: 1, fp16: 2, fp32: 3, fp64: 4 };
  if (rank[a] === undefined || rank[b] === undefined) throw ctx.error(`cannot combine ${a} and ${b}`);
  return rank[a]! > rank[b]! ? a : b;
}

type Out = Float32Array | Float64Array | Int32Array | Uint8Array;
/** One innermost run of a binary op: out[o + i] = f(a[ia + i·sa], b[ib + i·sb]). */
type BinaryLoop = (a: Num, ia: number, sa: number, b: Num, ib: number, sb: number, out: Out, o: number, n: number) => void;

/** Separate loop functions for the common ops, so each stays monomorphic and inlines its arithmetic. */
const LOOPS: Record<string, BinaryLoop> = {
  add: (a, ia, sa, b, ib, sb, out, o, n) => { for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia] + b[ib]; },
  sub: (a, ia, sa, b, ib, sb, out, o, n) => { for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia] - b[ib]; },
  mul: (a, ia, sa, b, ib, sb, out, o, n) => { for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia] * b[ib]; },
  real_div: (a, ia, sa, b, ib, sb, out, o, n) => { for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia] / b[ib]; },
};

function genericLoop(f: (a: number, b: number) => number): BinaryLoop {
  return (a, ia, sa, b, ib, sb, out, o, n) => { for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = f(a[ia], b[ib]); };
}

/** The output buffer of a dtype (fp16/fp32 → Float32Array, stores rounding once to float32; fp16 is rounded to half later). */
function outBuffer(ctx: OpContext, dtype: MilDtype, n: number): Out {
  switch (dtype) {
    case 'fp16': case 'fp32': return new Float32Array(n);
    case 'fp64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
    default: throw ctx.error(`cannot compute in ${dtype}`);
  }
}

/** Runs `loop` over the broadcast of x and y into a new tensor of `dtype`. */
function binaryMap(ctx: OpContext, x: RtTensor, y: RtTensor, dtype: MilDtype, loop: BinaryLoop): RtTensor {
  const shape = broadcastShapes(x.shape, y.shape);
  if (!shape) throw ctx.error(`shapes [${x.shape}] and [${y.shape}] do not broadcast`);
  const a = nums(ctx, x);
  const b = nums(ctx, y);
  const out = outBuffer(ctx, dtype, shape.reduce((p, d) => p * d, 1));
  if (out.length > 0) {
    forEachRun(broadcastPlan([x.shape, y.shape], shape), (offs, o, n, inner) => loop(a, offs[0], inner[0], b, offs[1], inner[1], out, o, n));
  }
  return tensor(dtype, shape, out);
}

function arithKernel(name: string, f: (a: number, b: number) => number): Kernel {
  const fast = LOOPS[name] ?? genericLoop(f);
  const intLoop = genericLoop(name === 'real_div' ? (p, q) => Math.trunc(p / q) : (p, q) => Math.trunc(f(p, q)));
  return (ctx) => {
    const x = ctx.tensor('x');
    const y = ctx.tensor('y');
    const dtype = promote(ctx, x.dtype, y.dtype);
    if (dtype === 'bool') throw ctx.error('bool operands; expected fp16/fp32/int32');
    return binaryMap(ctx, x, y, dtype, dtype === 'int32' ? intLoop : fast);
  };
}

function compareKernel(f: (a: number, b: number) => boolean): Kernel {
  const loop = genericLoop((a, b) => (f(a, b) ? 1 : 0));
  return (ctx) => {
    const x = ctx.tensor('x');
    const y = ctx.tensor('y');
    promote(ctx, x.dtype, y.dtype);
    return binaryMap(ctx, x, y, 'bool', loop);
  };
}

function logicalKernel(f: (a: boolean, b: boolean) => boolean): Kernel {
  const loop = genericLoop((a, b) => (f(a !== 0, b !== 0) ? 1 : 0));
  return (ctx) => {
    const x = ctx.tensor('x');
    const y = ctx.tensor('y');
    if (x.dtype !== 'bool' || y.dtype !== 'bool') throw ctx.error(`operands are ${x.dtype} and ${y.dtype}; expected bool`);
    return binaryMap(ctx, x, y, 'bool', loop);
  };
}

const logicalNot: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  if (x.dtype !== 'bool') throw ctx.error(`x is ${x.dtype}; expected bool`);
  return tensor('bool', [...x.shape], Uint8Array.from(x.data as Uint8Array, (v) => (v ? 0 : 1)));
};

/** select(cond, a, b): a where cond, else b, broadcast over all three. */
const select: Kernel = (ctx) => {
  const cond = ctx.tensor('cond');
  const a = ctx.tensor('a');
  const b = ctx.tensor('b');
  const dtype = promote(ctx, a.dtype, b.dtype);
  const ab = broadcastShapes(a.shape, b.shape);
  const shape = ab && broadcastShapes(cond.shape, ab);
  if (!shape) throw ctx.error(`shapes [${cond.shape}], [${a.shape}], [${b.shape}] do not broadcast`);
  const c = nums(ctx, cond);
  const va = nums(ctx, a);
  const vb = nums(ctx, b);
  const ic = broadcastIndex(cond.shape, shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = c[ic ? ic[i] : i] ? va[ia ? ia[i] : i] : vb[ib ? ib[i] : i];
  return fromNumbers(dtype, shape, out);
};

/** cast(x, dtype): int32 ← float truncates toward zero (NumPy astype), bool ← nonzero, fp16 ← rounds to half. */
const cast: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const to = ctx.str('dtype');
  const allowed: Record<string, MilDtype> = { int32: 'int32', fp16: 'fp16', fp32: 'fp32', bool: 'bool', fp64: 'fp64' };
  const dtype = allowed[to];
  if (!dtype) throw ctx.error(`cannot cast to '${to}' (one of int32, fp16, fp32, bool)`);
  if (dtype === 'int32' && !Array.isArray(x.data)) {
    const v = asFloat32(x);
    // Out-of-range floats saturate, NaN → 0 (what a C cast on the device gives is undefined; this is a defined choice).
    return tensor('int32', [...x.shape], Int32Array.from(v, (f) => (Number.isNaN(f) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(f))))));
  }
  // int32 values pass as plain numbers, so those beyond 2^24 stay exact until the target type rounds them.
  return fromNumbers(dtype, [...x.shape], nums(ctx, x));
};

/** Elementwise kernels by op type. */
export const ELEMENTWISE_KERNELS: Record<string, Kernel> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([k, f]) => [k, unaryKernel(f, false)])),
  ...Object.fromEntries(Object.entries(UNARY_WITH_INT).map(([k, f]) => [k, unaryKernel(f, true)])),
  inverse: epsilonKernel((x) => 1 / x, 1e-4),
  log: epsilonKernel(Math.log, 1e-45),
  rsqrt: epsilonKernel((x) => 1 / Math.sqrt(x), 1e-12),
  ...Object.fromEntries(Object.entries(ARITH).map(([k, f]) => [k, arithKernel(k, f)])),
  ...Object.fromEntries(Object.entries(COMPARE).map(([k, f]) => [k, compareKernel(f)])),
  ...Object.fromEntries(Object.entries(LOGICAL).map(([k, f]) => [k, logicalKernel(f)])),
  logical_not: logicalNot,
  select,
  cast,
};
