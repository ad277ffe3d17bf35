// TensorFlow activations (standalone ops and the `fused_ops` tail of _FusedConv2D/_FusedMatMul) as ONNX ops.
import { attrFloat, type Node } from '../../../ir/graph.ts';
import { LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { stringsAttr } from './common.ts';

/** Activations that need no operand beyond the input (so they can run in any layout). */
const PARAMETER_FREE = new Set(['Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Sigmoid', 'Tanh']);

/** True when `op` is an activation {@link activate} can apply without a per-channel operand. */
export function isLayoutFree(op: string): boolean {
  return PARAMETER_FREE.has(op);
}

/**
 * Applies TensorFlow activation `op` to `value` (writing `output` when given). `alpha` is LeakyRelu's slope;
 * `slope` is Prelu's per-channel operand (a TensorFlow value broadcasting like the data).
 */
export function activate(ctx: TfjsLiftContext, op: string, value: string, options: { alpha?: number; slope?: string; output?: string } = {}): string {
  const { output } = options;
  switch (op) {
    case 'Relu': return ctx.emit('Relu', [value], {}, output);
    case 'Relu6': return ctx.clip(value, 0, 6, output);
    case 'Elu': return ctx.emit('Elu', [value], { alpha: { type: 'float', value: 1 } }, output);
    case 'Selu': return ctx.emit('Selu', [value], { alpha: { type: 'float', value: 1.6732632423543772 }, gamma: { type: 'float', value: 1.0507009873554805 } }, output);
    case 'LeakyRelu': return ctx.emit('LeakyRelu', [value], { alpha: { type: 'float', value: options.alpha ?? 0.2 } }, output);
    case 'Sigmoid': return ctx.emit('Sigmoid', [value], {}, output);
    case 'Tanh': return ctx.emit('Tanh', [value], {}, output);
    case 'Prelu': {
      if (!options.slope) throw new LiftRefusal('Prelu has no alpha operand');
      return ctx.emit('PRelu', [value, options.slope], {}, output);
    }
    default: throw new LiftRefusal(`fused activation ${op} is not supported`);
  }
}

/** What a fused node computes after its main op: a bias, or a batch norm (4 operands), then an activation. */
export interface FusedSpec {
  bias?: string;
  batchNorm?: { scale: string; offset: string; mean: string; variance: string; epsilon: number };
  activation?: string;
  /** Prelu's operand. */
  slope?: string;
  /** LeakyRelu's slope. */
  alpha: number;
}

/** Reads `fused_ops` and the trailing inputs (`num_args` of them after the two main operands) of a fused node. */
export function fusedSpec(node: Node): FusedSpec {
  const ops = stringsAttr(node, 'fused_ops');
  const args = node.inputs.slice(2);
  const spec: FusedSpec = { alpha: attrFloat(node, 'leakyrelu_alpha', 0.2) };
  let k = 0;
  const take = (what: string): string => {
    const v = args[k++];
    if (!v) throw new LiftRefusal(`fused_ops [${ops.join(', ')}] needs a ${what} operand`);
    return v;
  };
  let i = 0;
  if (ops[i] === 'BiasAdd' || ops[i] === 'Add') {
    spec.bias = take('bias');
    i++;
  } else if (ops[i] === 'FusedBatchNorm' || ops[i] === 'FusedBatchNormV3') {
    spec.batchNorm = { scale: take('scale'), offset: take('offset'), mean: take('mean'), variance: take('variance'), epsilon: attrFloat(node, 'epsilon', 1e-3) };
    i++;
  }
  if (i < ops.length) {
    spec.activation = ops[i++];
    if (spec.activation === 'Prelu') spec.slope = take('Prelu alpha');
  }
  if (i < ops.length) throw new LiftRefusal(`fused_ops [${ops.join(', ')}] is not a bias/batch-norm followed by one activation`);
  return spec;
}

/** A one-input activation op lifted as itself (LeakyRelu reads its `alpha` attribute). */
export function activationLifter(op: string): TfjsLifter {
  return (node, ctx) => void activate(ctx, op, node.inputs[0], { alpha: attrFloat(node, 'alpha', 0.2), output: node.outputs[0] });
}

/** Prelu(x, alpha): ONNX PRelu broadcasts the slope the same way. */
export const liftPrelu: TfjsLifter = (node, ctx) => void activate(ctx, 'Prelu', node.inputs[0], { slope: node.inputs[1], output: node.outputs[0] });
