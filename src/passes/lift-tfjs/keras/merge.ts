// Keras merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate) as ONNX elementwise ops and Concat.
import { int, LiftRefusal, type TfjsLifter } from '../context.ts';
import { configOf, dataInputs } from './common.ts';

/** An n-input merge as a chain of binary `op`s (each one the lift's transpose optimiser can move through). */
function chain(op: string): TfjsLifter {
  return (node, ctx) => {
    const inputs = dataInputs(node);
    if (inputs.length < 2) throw new LiftRefusal(`${node.op} needs at least 2 inputs, got ${inputs.length}`);
    let acc = inputs[0];
    inputs.slice(1).forEach((x, i) => (acc = ctx.emit(op, [acc, x], {}, i === inputs.length - 2 ? node.outputs[0] : undefined)));
  };
}

/** Add, Multiply, Maximum, Minimum. */
export const liftAdd = chain('Add');
export const liftMultiply = chain('Mul');
export const liftMaximum = chain('Max');
export const liftMinimum = chain('Min');

/** Subtract: exactly two inputs. */
export const liftSubtract: TfjsLifter = (node, ctx) => {
  const inputs = dataInputs(node);
  if (inputs.length !== 2) throw new LiftRefusal(`Subtract needs 2 inputs, got ${inputs.length}`);
  ctx.emit('Sub', inputs, {}, node.outputs[0]);
};

/** Average: the sum times 1/n. */
export const liftAverage: TfjsLifter = (node, ctx) => {
  const inputs = dataInputs(node);
  const sum = inputs.slice(1).reduce((acc, x) => ctx.emit('Add', [acc, x]), inputs[0]);
  ctx.emit('Mul', [sum, ctx.scalar('inverse_count', 1 / inputs.length)], {}, node.outputs[0]);
};

/** Concatenate along `axis` (default −1). */
export const liftConcatenate: TfjsLifter = (node, ctx) => {
  const axis = configOf(node).axis;
  ctx.emit('Concat', dataInputs(node), { axis: int(typeof axis === 'number' ? axis : -1) }, node.outputs[0]);
};
