// Inference for quantization ops: QuantizeLinear/DequantizeLinear, DynamicQuantizeLinear, integer and
// QLinear matmul/conv, and com.microsoft MatMulNBits (block-quantized weights).
import { convShape } from './conv.ts';
import { matmulShape } from './gemm.ts';
import { broadcastShapes, conflictingDims, dtypeOfOnnxCode, formatShape, type InferContext, type InferResult, type OpTable } from './common.ts';

function quantizeLinear(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  const code = ctx.attrInt('output_dtype', 0);
  const dtype = ctx.input(2)?.dtype ?? (code ? dtypeOfOnnxCode(code) : 'uint8');
  if (!dtype) ctx.fail(`unknown output_dtype code ${code}`);
  return [{ dtype, shape: x?.shape && [...x.shape] }];
}

function dequantizeLinear(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  const scale = ctx.input(1);
  const zp = ctx.input(2);
  if (x && zp && x.dtype !== zp.dtype) ctx.fail(`x is ${x.dtype} but zero point is ${zp.dtype}`);
  const code = ctx.attrInt('output_dtype', 0);
  const dtype = code ? dtypeOfOnnxCode(code) : scale?.dtype ?? 'float32';
  return [dtype && { dtype, shape: x?.shape && [...x.shape] }];
}

function dynamicQuantizeLinear(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  return [{ dtype: 'uint8', shape: x?.shape && [...x.shape] }, { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] }];
}

function matMulNBits(ctx: InferContext): InferResult {
  const a = ctx.input(0);
  if (!a) return [undefined];
  const k = ctx.attrInt('K');
  const n = ctx.attrInt('N');
  if (k === undefined || n === undefined) ctx.fail('MatMulNBits needs K and N attributes');
  if (!a.shape) return [{ dtype: a.dtype }];
  const last = a.shape[a.shape.length - 1];
  if (conflictingDims(last, k)) ctx.fail(`input ${formatShape(a.shape)} has inner dimension ${last}, K is ${k}`);
  const bits = ctx.attrInt('bits', 4);
  const block = ctx.attrInt('block_size', 0);
  const b = ctx.input(1)?.shape;
  if (b && block > 0) {
    const blocks = Math.ceil(k / block);
    const expect = [n, blocks, Math.ceil((block * bits) / 8)];
    if (b.length === 3 && b.some((d, i) => conflictingDims(d, expect[i]))) ctx.fail(`packed weight ${formatShape(b)} should be ${formatShape(expect)}`);
  }
  return [{ dtype: a.dtype, shape: [...a.shape.slice(0, -1), n] }];
}

export const quantOps: OpTable = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  MatMulInteger: (ctx) => [{ dtype: 'int32', shape: matmulShape(ctx, ctx.input(0)?.shape, ctx.input(1)?.shape) }],
  ConvInteger: (ctx) => [{ dtype: 'int32', shape: convShape(ctx, ctx.input(0), ctx.input(1)) }],
  QLinearMatMul: (ctx) => {
    const zp = ctx.input(7);
    return [zp && { dtype: zp.dtype, shape: matmulShape(ctx, ctx.input(0)?.shape, ctx.input(3)?.shape) }];
  },
  QLinearConv: (ctx) => {
    const zp = ctx.input(7);
    return [zp && { dtype: zp.dtype, shape: convShape(ctx, ctx.input(0), ctx.input(3)) }];
  },
  'com.microsoft/QuantizeLinear': quantizeLinear,
  'com.microsoft/DequantizeLinear': dequantizeLinear,
  'com.microsoft/MatMulNBits': matMulNBits,
  'com.microsoft/MatMulIntegerToFloat': (ctx) => {
    const scale = ctx.input(2);
    return [scale && { dtype: scale.dtype, shape: matmulShape(ctx, ctx.input(0)?.shape, ctx.input(1)?.shape) }];
  },
  'com.microsoft/DynamicQuantizeMatMul': (ctx) => {
    const a = ctx.input(0);
    return [a && { dtype: a.dtype, shape: matmulShape(ctx, a.shape, ctx.input(1)?.shape) }];
  },
  'com.microsoft/QLinearAdd': qlinearBinary,
  'com.microsoft/QLinearMul': qlinearBinary,
};

function qlinearBinary(ctx: InferContext): InferResult {
  const a = ctx.input(0);
  const b = ctx.input(3);
  const shape = a?.shape && b?.shape ? broadcastShapes(ctx, a.shape, b.shape) : undefined;
  return [a && { dtype: a.dtype, shape }];
}
