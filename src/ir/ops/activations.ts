// Inference for unary ops: activations, math functions, Identity/Dropout, Cast/CastLike, IsNaN/IsInf/Not.
import { dtypeOfOnnxCode, same, type InferContext, type OpInfer, type OpTable } from './common.ts';

/** Same dtype and shape as input 0. */
const unary: OpInfer = (ctx) => [same(ctx.input(0))];

/** Same shape as input 0, bool elements. */
const boolUnary: OpInfer = (ctx) => {
  const x = ctx.input(0);
  return [{ dtype: 'bool', shape: x?.shape && [...x.shape] }];
};

function cast(ctx: InferContext) {
  const code = ctx.attrInt('to');
  if (code === undefined) ctx.fail('missing "to" attribute');
  const dtype = dtypeOfOnnxCode(code);
  if (!dtype) ctx.fail(`unknown target dtype code ${code}`);
  const x = ctx.input(0);
  const bits = INT_BITS[dtype];
  // A float constant cast to an integer (a shape spelled in floats) truncates toward zero, as the cast does.
  const floats = bits && !ctx.ints(0) ? ctx.floats(0) : undefined;
  const value = ctx.ints(0) ?? (floats?.every(Number.isFinite) ? floats.map(Math.trunc) : undefined);
  // Known sizes wrap as the cast does (a batch of 2^32+1 cast to int32 is 1), so folding it later changes nothing.
  const cast = bits && value?.map((v) => (typeof v === 'number' && bits < 64 ? Number(BigInt.asIntN(bits, BigInt(v))) : v));
  return [{ dtype, shape: x?.shape && [...x.shape], value: cast || undefined }];
}

const INT_BITS: Partial<Record<string, number>> = { int8: 8, int16: 16, int32: 32, int64: 64 };

const UNARY_OPS = [
  'Relu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Erf', 'Gelu',
  'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Tan',
  'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Softplus', 'Softsign', 'Mish',
  'ThresholdedRelu', 'Shrink', 'Clip', 'BitwiseNot', 'CumSum', 'Trilu',
  'com.microsoft/FastGelu', 'com.microsoft/Gelu', 'com.microsoft/QuickGelu', 'com.microsoft/BiasGelu',
];

export const activationOps: OpTable = {
  ...Object.fromEntries(UNARY_OPS.map((op) => [op, unary])),
  Dropout: (ctx) => [same(ctx.input(0)), { dtype: 'bool', shape: ctx.input(0)?.shape && [...ctx.input(0)!.shape!] }],
  Not: boolUnary,
  IsNaN: boolUnary,
  IsInf: boolUnary,
  Cast: cast,
  CastLike: (ctx) => {
    const x = ctx.input(0);
    const like = ctx.input(1);
    return [like && { dtype: like.dtype, shape: x?.shape && [...x.shape] }];
  },
};
