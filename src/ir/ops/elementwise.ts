// Inference for broadcasting elementwise ops: arithmetic, comparison, logic, variadic Max/Min/Sum/Mean, Where.
import type { DType } from '../dtype.ts';
import type { Dim } from '../graph.ts';
import { broadcastShapes, dimProduct, type InferContext, type OpInfer, type OpTable, type TensorInfo } from './common.ts';

/** Broadcasts the shapes of all given inputs (undefined when any rank is unknown). */
export function broadcastInputs(ctx: InferContext, indices: number[]): Dim[] | undefined {
  let shape: Dim[] | undefined = [];
  for (const i of indices) {
    const s = ctx.input(i)?.shape;
    if (!s) return undefined;
    shape = broadcastShapes(ctx, shape, s);
  }
  return shape;
}

/** Folds known integer contents elementwise (for shape arithmetic like Shape(x)[0] * 2). */
function foldValues(ctx: InferContext, shape: Dim[] | undefined, fn: (a: number, b: number) => number): Dim[] | undefined {
  const a = ctx.ints(0);
  const b = ctx.ints(1);
  const n = shape && dimProduct(shape);
  if (!a || !b || n === null || n === undefined || n > 64) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.length === 1 ? a[0] : a[i];
    const y = b.length === 1 ? b[0] : b[i];
    if (typeof x === 'number' && typeof y === 'number') out.push(fn(x, y));
    else if (fn === mul && (x === 1 || y === 1)) out.push(x === 1 ? y : x);
    else if ((fn === add || fn === sub) && y === 0) out.push(x);
    else out.push(null);
  }
  return out;
}

const add = (a: number, b: number) => a + b;
const sub = (a: number, b: number) => a - b;
const mul = (a: number, b: number) => a * b;
const div = (a: number, b: number) => Math.trunc(a / b);

/** A binary op whose output has the first input's dtype; `fold` propagates known integer contents. */
function arithmetic(fold?: (a: number, b: number) => number): OpInfer {
  return (ctx) => {
    const a = ctx.input(0);
    const b = ctx.input(1);
    if (a && b && a.dtype !== b.dtype && ctx.node.op !== 'Pow' && ctx.node.op !== 'BitShift') {
      ctx.fail(`input dtypes differ: ${a.dtype} and ${b.dtype}`);
    }
    const shape = broadcastInputs(ctx, [0, 1]);
    const dtype = a?.dtype ?? b?.dtype;
    if (!dtype) return [undefined];
    const out: TensorInfo = { dtype, shape };
    if (fold) out.value = foldValues(ctx, shape, fold);
    return [out];
  };
}

/** A binary op producing bool (comparisons, logic). */
function predicate(ctx: InferContext): (TensorInfo | undefined)[] {
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (a && b && a.dtype !== b.dtype) ctx.fail(`input dtypes differ: ${a.dtype} and ${b.dtype}`);
  return [{ dtype: 'bool', shape: broadcastInputs(ctx, [0, 1]) }];
}

/** Max/Min/Sum/Mean over any number of inputs. */
function variadic(ctx: InferContext): (TensorInfo | undefined)[] {
  const indices = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
  const dtypes = new Set<DType>(indices.map((i) => ctx.input(i)?.dtype).filter((d): d is DType => d !== undefined));
  if (dtypes.size > 1) ctx.fail(`input dtypes differ: ${[...dtypes].join(', ')}`);
  const [dtype] = dtypes;
  return [dtype ? { dtype, shape: broadcastInputs(ctx, indices) } : undefined];
}

function where(ctx: InferContext): (TensorInfo | undefined)[] {
  const x = ctx.input(1);
  const y = ctx.input(2);
  if (x && y && x.dtype !== y.dtype) ctx.fail(`X and Y dtypes differ: ${x.dtype} and ${y.dtype}`);
  const dtype = x?.dtype ?? y?.dtype;
  return [dtype ? { dtype, shape: broadcastInputs(ctx, [0, 1, 2]) } : undefined];
}

export const elementwiseOps: OpTable = {
  Add: arithmetic(add),
  Sub: arithmetic(sub),
  Mul: arithmetic(mul),
  Div: arithmetic(div),
  Pow: arithmetic(),
  Mod: arithmetic(),
  BitShift: arithmetic(),
  BitwiseAnd: arithmetic(),
  BitwiseOr: arithmetic(),
  BitwiseXor: arithmetic(),
  PRelu: arithmetic(),
  Equal: predicate,
  Less: predicate,
  LessOrEqual: predicate,
  Greater: predicate,
  GreaterOrEqual: predicate,
  And: predicate,
  Or: predicate,
  Xor: predicate,
  Max: variadic,
  Min: variadic,
  Sum: variadic,
  Mean: variadic,
  Where: where,
};
