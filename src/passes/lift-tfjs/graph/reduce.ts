// TensorFlow reductions (Mean, Sum, Max, Min, Prod with keep_dims) and ArgMax/ArgMin as ONNX Reduce*/Arg*.
import { attrInt } from '../../../ir/graph.ts';
import { int, ints, type TfjsLifter } from '../context.ts';
import { castTo, normAxis, typeAttr } from './common.ts';

/** A reduction over axes known at lift time; no axes reduces nothing (TensorFlow), unlike ONNX's default. */
function reduce(op: string): TfjsLifter {
  return (node, ctx) => {
    const [x, axesIn] = node.inputs;
    const rank = ctx.rank(x);
    const axes = [...new Set(ctx.requireInts(axesIn, 'reduction axes').map((a) => normAxis(a, rank)))].sort((a, b) => a - b);
    const keepdims = int(attrInt(node, 'keep_dims', 0));
    if (!axes.length) return void ctx.emit('Identity', [x], {}, node.outputs[0]);
    // Opset 17: ReduceSum takes its axes as an input, the others as an attribute.
    if (op === 'ReduceSum') return void ctx.emit(op, [x, ctx.int64s('axes', axes)], { keepdims }, node.outputs[0]);
    ctx.emit(op, [x], { axes: ints(axes), keepdims }, node.outputs[0]);
  };
}

export const liftMean = reduce('ReduceMean');
export const liftSum = reduce('ReduceSum');
export const liftMax = reduce('ReduceMax');
export const liftMin = reduce('ReduceMin');
export const liftProd = reduce('ReduceProd');

/** ArgMax / ArgMin over a known axis; `output_type` int32 casts ONNX's int64 result. */
function arg(op: 'ArgMax' | 'ArgMin'): TfjsLifter {
  return (node, ctx) => {
    const [x, axisIn] = node.inputs;
    const axis = normAxis(ctx.requireInts(axisIn, 'dimension')[0], ctx.rank(x));
    const out = typeAttr(node, 'output_type', 'int64');
    const y = ctx.emit(op, [x], { axis: int(axis), keepdims: int(0) }, out === 'int64' ? node.outputs[0] : undefined);
    if (out !== 'int64') castTo(ctx, y, out, node.outputs[0]);
  };
}

export const liftArgMax = arg('ArgMax');
export const liftArgMin = arg('ArgMin');
