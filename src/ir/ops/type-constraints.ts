// ONNX type constraints of common ops (which inputs share a type, and which types it may be), checked before inference.
import type { DType } from '../dtype.ts';
import type { InferContext } from './common.ts';

const FLOAT: readonly DType[] = ['float16', 'float32', 'float64', 'bfloat16'];
const INT: readonly DType[] = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];
const NUMERIC: readonly DType[] = [...FLOAT, ...INT];
const SIGNED: readonly DType[] = [...FLOAT, 'int8', 'int16', 'int32', 'int64'];
const GEMM: readonly DType[] = [...FLOAT, 'int32', 'int64', 'uint32', 'uint64'];
const INDEX: readonly DType[] = ['int32', 'int64'];
const INT64: readonly DType[] = ['int64'];
const BOOL: readonly DType[] = ['bool'];
const Q8: readonly DType[] = ['int8', 'uint8'];

/** Inputs that share one type (`{ from }`: that index and every later one), and the types allowed (undefined: any). */
interface Constraint {
  inputs: readonly number[] | { from: number };
  types?: readonly DType[];
}

const same = (inputs: readonly number[], types?: readonly DType[]): Constraint => ({ inputs, types });
const all = (types?: readonly DType[]): Constraint => ({ inputs: { from: 0 }, types });

const unaryFloat = [same([0], FLOAT)];
const FLOAT_UNARY = [
  'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Sqrt', 'Exp', 'Log', 'Reciprocal',
  'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Softplus',
  'Softsign', 'Mish', 'ThresholdedRelu', 'Softmax', 'LogSoftmax', 'Hardmax', 'LRN', 'GlobalAveragePool', 'GlobalLpPool',
  'AveragePool', 'LpPool', 'MeanVarianceNormalization', 'LpNormalization',
];

/** The constraints by op type (default domain only). Ops not listed are not checked here. */
const CONSTRAINTS: Readonly<Record<string, readonly Constraint[]>> = {
  ...Object.fromEntries(FLOAT_UNARY.map((op) => [op, unaryFloat])),
  Relu: [same([0], SIGNED)],
  Neg: [same([0], SIGNED)],
  Abs: [same([0], NUMERIC)],
  Sign: [same([0], NUMERIC)],
  Erf: [same([0], NUMERIC)],
  Clip: [same([0, 1, 2], NUMERIC)],
  PRelu: [same([0, 1], NUMERIC)],
  Conv: [same([0, 1, 2], FLOAT)],
  ConvTranspose: [same([0, 1, 2], FLOAT)],
  Gemm: [same([0, 1, 2], GEMM)],
  MatMul: [same([0, 1], GEMM)],
  BatchNormalization: [same([0], FLOAT), same([1, 2], FLOAT), same([3, 4], FLOAT)],
  InstanceNormalization: [same([0, 1, 2], FLOAT)],
  LayerNormalization: [same([0], FLOAT), same([1, 2], FLOAT)],
  GroupNormalization: [same([0, 1, 2], FLOAT)],
  MaxPool: [same([0], [...FLOAT, ...Q8])],
  GlobalMaxPool: [same([0], FLOAT)],
  Add: [same([0, 1], NUMERIC)],
  Sub: [same([0, 1], NUMERIC)],
  Mul: [same([0, 1], NUMERIC)],
  Div: [same([0, 1], NUMERIC)],
  Mod: [same([0, 1], NUMERIC)],
  Pow: [same([0], NUMERIC), same([1], NUMERIC)],
  Max: [all(NUMERIC)],
  Min: [all(NUMERIC)],
  Sum: [all(FLOAT)],
  Mean: [all(FLOAT)],
  Less: [same([0, 1], NUMERIC)],
  LessOrEqual: [same([0, 1], NUMERIC)],
  Greater: [same([0, 1], NUMERIC)],
  GreaterOrEqual: [same([0, 1], NUMERIC)],
  Equal: [same([0, 1])],
  And: [same([0, 1], BOOL)],
  Or: [same([0, 1], BOOL)],
  Xor: [same([0, 1], BOOL)],
  Not: [same([0], BOOL)],
  Where: [same([0], BOOL), same([1, 2])],
  Concat: [all()],
  Reshape: [same([1], INT64)],
  Expand: [same([1], INT64)],
  Tile: [same([1], INT64)],
  ConstantOfShape: [same([0], INT64)],
  Squeeze: [same([1], INT64)],
  Unsqueeze: [same([1], INT64)],
  Split: [same([1], INT64)],
  Slice: [same([1, 2, 3, 4], INDEX)],
  Gather: [same([1], INDEX)],
  GatherElements: [same([1], INDEX)],
  GatherND: [same([1], INT64)],
  ScatterND: [same([1], INT64), same([0, 2])],
  ScatterElements: [same([1], INDEX), same([0, 2])],
  Pad: [same([1], INT64), same([0, 2]), same([3], INDEX)],
  Resize: [same([1], FLOAT), same([2], ['float32']), same([3], INT64)],
  Upsample: [same([1], ['float32'])],
  TopK: [same([0], NUMERIC), same([1], INT64)],
  Range: [same([0, 1, 2], ['float32', 'float64', 'int16', 'int32', 'int64'])],
  CumSum: [same([0], NUMERIC), same([1], INDEX)],
  Trilu: [same([1], INT64)],
  ReduceMean: [same([0], NUMERIC), same([1], INT64)],
  ReduceSum: [same([0], NUMERIC), same([1], INT64)],
  ReduceMax: [same([0], [...NUMERIC, 'bool']), same([1], INT64)],
  ReduceMin: [same([0], [...NUMERIC, 'bool']), same([1], INT64)],
  ReduceProd: [same([0], NUMERIC), same([1], INT64)],
  ReduceL1: [same([0], NUMERIC), same([1], INT64)],
  ReduceL2: [same([0], NUMERIC), same([1], INT64)],
  ReduceLogSum: [same([0], NUMERIC), same([1], INT64)],
  ReduceLogSumExp: [same([0], NUMERIC), same([1], INT64)],
  ReduceSumSquare: [same([0], NUMERIC), same([1], INT64)],
  ArgMax: [same([0], NUMERIC)],
  ArgMin: [same([0], NUMERIC)],
  DequantizeLinear: [same([0, 2]), same([1], FLOAT)],
  QuantizeLinear: [same([0], [...FLOAT, 'int32']), same([1], [...FLOAT, 'int32'])],
  MatMulInteger: [same([0, 2], Q8), same([1, 3], Q8)],
  ConvInteger: [same([0, 2], Q8), same([1, 3], Q8)],
  Dropout: [same([0], FLOAT), same([1], FLOAT), same([2], BOOL)],
};

const list = (types: readonly DType[]) => (types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}` : types[0]);

/**
 * Fails (naming the input and its type) when a default-domain node's inputs break the op's type constraints: an input
 * of a type the op does not take (a STRING bias of a Conv), or inputs that must share a type but differ.
 */
export function checkTypeConstraints(ctx: InferContext): void {
  const constraints = CONSTRAINTS[ctx.node.op];
  if (!constraints) return;
  for (const c of constraints) {
    const indices = Array.isArray(c.inputs) ? c.inputs : ctx.node.inputs.map((_, i) => i).slice((c.inputs as { from: number }).from);
    let first: { index: number; dtype: DType } | undefined;
    for (const i of indices) {
      const dtype = ctx.input(i)?.dtype;
      if (!dtype) continue;
      const name = ctx.node.inputs[i];
      if (c.types && !c.types.includes(dtype)) ctx.fail(`input ${i} ('${name}') is ${dtype}; ${ctx.node.op} takes ${list(c.types)} there`);
      if (first && first.dtype !== dtype) ctx.fail(`input dtypes differ: ${first.dtype} (input ${first.index}) and ${dtype} (input ${i})`);
      first ??= { index: i, dtype };
    }
  }
}

/** Ops with type constraints (for tests). */
export const CONSTRAINED_OPS: ReadonlySet<string> = new Set(Object.keys(CONSTRAINTS));
