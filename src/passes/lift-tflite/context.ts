// What a TFLite op lifter works with: static NHWC shapes, constants as numbers, fresh names and node/constant emission.
import { transposeData as transposeIrData } from '../../ir/transpose.ts';
import type { DType, TypedArray } from '../../ir/dtype.ts';
import type { Attribute, Graph, Node, NodeAttributes } from '../../ir/graph.ts';
import { attrInt } from '../../ir/graph.ts';
import { makeTensor, tensorFloats, tensorValues, type Tensor } from '../../ir/tensor.ts';
import { constantOf, nameAllocator, shapeOf } from '../graph-edit.ts';

/** Thrown by a lifter when this node cannot be expressed in ONNX; the message says why. */
export class LiftRefusal extends Error {}

/** NHWC → NCHW and back. */
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

/** TFLite fused activations (ActivationFunctionType): NONE, RELU, RELU_N1_TO_1, RELU6, TANH. */
const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** The state one lift shares with every lifter: the graph being rebuilt and the original NHWC shapes. */
export class LiftContext {
  /** Nodes emitted so far, in order. */
  readonly nodes: Node[] = [];
  private readonly fresh: (base: string) => string;
  private readonly shapes = new Map<string, number[] | undefined>();

  constructor(readonly graph: Graph) {
    this.fresh = nameAllocator(graph);
    for (const name of [...graph.valueInfo.keys(), ...graph.inputs.map((v) => v.name), ...graph.outputs.map((v) => v.name)]) {
      const s = shapeOf(graph, name);
      this.shapes.set(name, s?.every((d) => typeof d === 'number') ? (s as number[]) : undefined);
    }
  }

  /** A name not used in the graph yet. */
  name(base: string): string {
    return this.fresh(base);
  }

  /** The static shape of a value as the TFLite model declares it (NHWC), or a refusal naming the value. */
  shape(value: string): number[] {
    const t = this.graph.initializers.get(value);
    const s = t ? t.dims : this.shapes.get(value);
    if (!s) throw new LiftRefusal(`the shape of '${value}' is not static`);
    return [...s];
  }

  /** The static shape of a rank-4 (NHWC) value, or a refusal. */
  shape4(value: string): number[] {
    const s = this.shape(value);
    if (s.length !== 4) throw new LiftRefusal(`'${value}' has rank ${s.length}, not 4 (NHWC)`);
    return s;
  }

  /** The constant tensor behind `value`, or a refusal saying which input must be constant. */
  constant(value: string, what: string): Tensor {
    const t = constantOf(this.graph, value);
    if (!t) throw new LiftRefusal(`${what} '${value}' is not a constant`);
    return t;
  }

  /** A constant's values as float32 (float16 decoded). */
  floats(value: string, what: string): Float32Array {
    const t = this.constant(value, what);
    if (t.dtype !== 'float32' && t.dtype !== 'float16') throw new LiftRefusal(`${what} '${value}' is ${t.dtype}, not float (quantized weights are not lifted)`);
    return tensorFloats(t);
  }

  /** A constant integer tensor's values as numbers. */
  ints(value: string, what: string): number[] {
    const v = tensorValues(this.constant(value, what));
    return Array.from(v as ArrayLike<number | bigint>, Number);
  }

  /** Adds a constant and returns its name. */
  addConstant(base: string, dtype: DType, dims: number[], values: TypedArray): string {
    const name = this.name(base);
    this.graph.initializers.set(name, makeTensor(name, dtype, dims, values));
    return name;
  }

  /** Adds an int64 constant (shapes, pads, axes). */
  int64s(base: string, values: number[]): string {
    return this.addConstant(base, 'int64', [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  /** A float32 scalar constant. */
  scalar(base: string, value: number): string {
    return this.addConstant(base, 'float32', [], Float32Array.of(value));
  }

  /** Emits an ONNX node; `output` defaults to a fresh name. Returns the output name. */
  emit(op: string, inputs: string[], attributes: Record<string, Attribute> = {}, output?: string): string {
    const out = output ?? this.name(`${inputs[0] || op}_${op.toLowerCase()}`);
    const attrs: NodeAttributes = new Map(Object.entries(attributes));
    this.nodes.push({ op, domain: '', name: this.name(`${op}_${out}`), inputs, outputs: [out], attributes: attrs });
    return out;
  }

  /** Transpose of `value` by `perm`. */
  transpose(value: string, perm: number[], output?: string): string {
    return this.emit('Transpose', [value], { perm: ints(perm) }, output);
  }

  /**
   * Applies a node's `fused_activation_function` to `value`, writing `output` (when given) as the final result.
   * Returns the name holding the activated value.
   */
  fusedActivation(node: Node, value: string, output?: string): string {
    const code = attrInt(node, 'fused_activation_function', 0);
    const name = ACTIVATION_NAMES[code] ?? `code ${code}`;
    switch (name) {
      case 'NONE': return output ? this.emit('Identity', [value], {}, output) : value;
      case 'RELU': return this.emit('Relu', [value], {}, output);
      case 'RELU6': return this.clip(value, 0, 6, output);
      case 'RELU_N1_TO_1': return this.clip(value, -1, 1, output);
      case 'TANH': return this.emit('Tanh', [value], {}, output);
      default: throw new LiftRefusal(`fused activation ${name} has no ONNX equivalent here`);
    }
  }

  /** `build` writing `output` directly when the node has no fused activation, else through the activation. */
  activated(node: Node, output: string, build: (output?: string) => string): string {
    return attrInt(node, 'fused_activation_function', 0) === 0 ? build(output) : this.fusedActivation(node, build(), output);
  }

  /** Clip(value, lo, hi). */
  clip(value: string, lo: number, hi: number, output?: string): string {
    return this.emit('Clip', [value, this.scalar('clip_min', lo), this.scalar('clip_max', hi)], {}, output);
  }
}

/** An ints attribute. */
export function ints(value: number[]): Attribute {
  return { type: 'ints', value: [...value] };
}

/** An int attribute. */
export function int(value: number): Attribute {
  return { type: 'int', value };
}

/** A string attribute. */
export function str(value: string): Attribute {
  return { type: 'string', value: new TextEncoder().encode(value) };
}

/**
 * TFLite SAME/VALID padding as explicit ONNX pads for one spatial axis: SAME pads so that out = ceil(in / stride),
 * the odd pixel at the end (as TensorFlow does); VALID pads nothing.
 */
export function explicitPads(same: boolean, size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  if (!same) return [0, 0];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** ONNX `pads` ([top, left, bottom, right]) for a TFLite node's `padding` option (0 = SAME, 1 = VALID) over NHWC `input`. */
export function spatialPads(node: Node, input: number[], kernel: [number, number], stride: [number, number], dilation: [number, number] = [1, 1]): number[] {
  const same = attrInt(node, 'padding', 0) === 0;
  const [t, b] = explicitPads(same, input[1], kernel[0], stride[0], dilation[0]);
  const [l, r] = explicitPads(same, input[2], kernel[1], stride[1], dilation[1]);
  return [t, l, b, r];
}

/** `data` (of shape `dims`) transposed by `perm` (output dim i = input dim perm[i]), with its new dims. */
export function transposeData(data: Float32Array, dims: number[], perm: number[]): { data: Float32Array; dims: number[] } {
  return { data: transposeIrData(data, dims, perm), dims: perm.map((p) => dims[p]) };
}
