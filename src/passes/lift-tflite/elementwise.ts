// Lifts TFLite elementwise ops: ADD/SUB/MUL/DIV/MAXIMUM/MINIMUM (fused activations), activations and unary math (RSQRT, SQRT, EXP…).
import { attrFloat } from '../../ir/graph.ts';
import type { Lifter } from './lifter.ts';

/** A binary op with broadcasting (same numpy rules in both formats) and a fused activation. */
function binary(op: string): Lifter {
  return (node, ctx) => {
    ctx.activated(node, node.outputs[0], (out) => ctx.emit(op, [node.inputs[0], node.inputs[1]], {}, out));
  };
}

/** A one-input op with the same semantics in ONNX. */
function unary(op: string): Lifter {
  return (node, ctx) => void ctx.emit(op, [node.inputs[0]], {}, node.outputs[0]);
}

/** Lifters of the TFLite element-wise ops that have a same-named (or directly renamed) ONNX op. */
export const liftAdd = binary('Add');
export const liftSub = binary('Sub');
export const liftMul = binary('Mul');
export const liftDiv = binary('Div');
export const liftMaximum = binary('Max');
export const liftMinimum = binary('Min');
export const liftRelu = unary('Relu');
export const liftLogistic = unary('Sigmoid');
export const liftTanh = unary('Tanh');
export const liftHardSwish = unary('HardSwish');
export const liftSqrt = unary('Sqrt');
export const liftExp = unary('Exp');
export const liftAbs = unary('Abs');
export const liftPrelu: Lifter = (node, ctx) => void ctx.emit('PRelu', [node.inputs[0], node.inputs[1]], {}, node.outputs[0]);
export const liftLeakyRelu: Lifter = (node, ctx) => void ctx.emit('LeakyRelu', [node.inputs[0]], { alpha: { type: 'float', value: attrFloat(node, 'alpha', 0.2) } }, node.outputs[0]);
export const liftRsqrt: Lifter = (node, ctx) => void ctx.emit('Reciprocal', [ctx.emit('Sqrt', [node.inputs[0]])], {}, node.outputs[0]);
export const liftRelu6: Lifter = (node, ctx) => void ctx.clip(node.inputs[0], 0, 6, node.outputs[0]);
export const liftReluN1To1: Lifter = (node, ctx) => void ctx.clip(node.inputs[0], -1, 1, node.outputs[0]);
