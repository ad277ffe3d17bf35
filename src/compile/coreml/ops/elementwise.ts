// Elementwise ONNX ops → MIL: binary arithmetic and comparisons (numpy broadcasting in both), variadic Max/Min/Sum/Mean, Where, unary math.
import type { Node } from '../../../ir/graph.ts';
import { isFloat } from '../../../ir/dtype.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';

const BINARY: Record<string, string> = {
  Add: 'add', Sub: 'sub', Mul: 'mul', Pow: 'pow', Equal: 'equal', Less: 'less', LessOrEqual: 'less_equal',
  Greater: 'greater', GreaterOrEqual: 'greater_equal', And: 'logical_and', Or: 'logical_or', Xor: 'logical_xor', Mod: 'mod',
};

const UNARY: Record<string, string> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Exp: 'exp', Log: 'log', Sqrt: 'sqrt', Abs: 'abs', Floor: 'floor',
  Ceil: 'ceil', Round: 'round', Sign: 'sign', Sin: 'sin', Cos: 'cos', Erf: 'erf', Softplus: 'softplus', Not: 'logical_not',
  Identity: 'identity', Dropout: 'identity',
};

/** Emits a binary ONNX op (Div by the operands' type: real_div for floats, floor_div for integers). */
export function emitBinary(node: Node, ctx: MilEmitContext): void {
  const [a, b] = node.inputs;
  const type = node.op === 'Div' ? (isFloat(ctx.irDtype(a)) ? 'real_div' : 'floor_div') : BINARY[node.op];
  if (!type) throw new Unmappable(`no Core ML mapping for ${node.op}`);
  ctx.emit(type, node, { x: ctx.input(a), y: ctx.input(b) });
}

/** Emits Max/Min/Sum/Mean over any number of inputs as a chain of binary ops. */
export function emitVariadic(node: Node, ctx: MilEmitContext): void {
  const type = { Max: 'maximum', Min: 'minimum', Sum: 'add', Mean: 'add' }[node.op]!;
  const inputs = node.inputs.filter((i) => i);
  const out = node.outputs[0];
  const outType = ctx.milType(out);
  if (inputs.length === 1) {
    ctx.emit('identity', node, { x: ctx.input(inputs[0]) });
    return;
  }
  let acc = ctx.input(inputs[0]);
  for (let i = 1; i < inputs.length; i++) {
    const last = i === inputs.length - 1 && node.op !== 'Mean';
    acc = last ? ctx.emit(type, node, { x: acc, y: ctx.input(inputs[i]) }) : ctx.temp(type, node, { x: acc, y: ctx.input(inputs[i]) }, `${node.name}_acc`, outType);
  }
  if (node.op === 'Mean') ctx.emit('mul', node, { x: acc, y: ctx.scalar('inv_n', 1 / inputs.length, 'float') });
}

/** Emits Where → select. */
export function emitWhere(node: Node, ctx: MilEmitContext): void {
  const [c, a, b] = node.inputs;
  ctx.emit('select', node, { cond: ctx.input(c), a: ctx.input(a), b: ctx.input(b) });
}

/** Emits a unary math op (Neg as a multiplication by −1, Reciprocal as 1 / x). */
export function emitUnary(node: Node, ctx: MilEmitContext): void {
  const x = ctx.input(node.inputs[0]);
  if (node.op === 'Neg') {
    ctx.emit('mul', node, { x, y: ctx.scalar('minus_one', -1, isFloat(ctx.irDtype(node.inputs[0])) ? 'float' : 'int32') });
    return;
  }
  if (node.op === 'Reciprocal') {
    ctx.emit('real_div', node, { x: ctx.scalar('one', 1, 'float'), y: x });
    return;
  }
  const type = UNARY[node.op];
  if (!type) throw new Unmappable(`no Core ML mapping for ${node.op}`);
  if (node.op === 'Dropout' && node.outputs[1]) throw new Unmappable('Dropout mask output is not supported');
  ctx.emit(type, node, { x });
}

/** Emits Cast: to the MIL type of the output (a float cast in the compute type is an identity). */
export function emitCast(node: Node, ctx: MilEmitContext): void {
  const from = ctx.milType(node.inputs[0]).dtype;
  const to = ctx.milType(node.outputs[0]).dtype;
  const x = ctx.input(node.inputs[0]);
  if (from === to) ctx.emit('identity', node, { x });
  else ctx.emit('cast', node, { x, dtype: ctx.scalar('dtype', to, 'string') });
}
