// The draft TFLite graph the compiler emits into: tensors (float data kept for later quantization), operators, I/O.
import type { DType } from '../../ir/dtype.ts';
import type { BuiltinOpName } from '../../formats/tflite/schema/enums.ts';
import type { TflOptions, TflQuantization } from '../../formats/tflite/schema/types.ts';

/** Where a tensor's calibration range comes from: an IR value's range, mapped by x·scale + shift and clamped. */
export interface RangeSource {
  value: string;
  scale?: number;
  shift?: number;
  clamp?: [number, number];
}

/** What a constant is used as (decides its quantization). */
export type ConstRole = 'weight' | 'depthwise-weight' | 'fc-weight' | 'bias' | 'operand' | 'shape';

/** A tensor of the draft graph. */
export interface DraftTensor {
  name: string;
  shape: number[];
  dtype: DType;
  /** Constant payload (float32 for float constants, int32 for shape/index data). */
  data?: Float32Array | Int32Array | Uint8Array | Uint16Array | Int8Array;
  role?: ConstRole;
  /** For activations: where its calibration range comes from. */
  range?: RangeSource;
  quantization?: TflQuantization;
}

/** An operator of the draft graph. */
export interface DraftOp {
  op: BuiltinOpName;
  inputs: number[];
  outputs: number[];
  /** Builtin options table name and values. */
  options?: { table: string; values: TflOptions };
  /** The IR node it came from ('' for boundary/layout ops). */
  node: string;
  /** Lowest operator version its inputs or options need (e.g. TRANSPOSE_CONV with a bias: 3). */
  version?: number;
  /** Part of a float island: stays float32 in an int8 model, behind DEQUANTIZE / QUANTIZE (see float-islands.ts). */
  float?: boolean;
}

/** The whole draft: one subgraph. */
export interface DraftGraph {
  tensors: DraftTensor[];
  ops: DraftOp[];
  inputs: number[];
  outputs: number[];
}

/** Appends tensors and ops to a draft, keeping names unique. */
export class DraftBuilder {
  readonly graph: DraftGraph = { tensors: [], ops: [], inputs: [], outputs: [] };
  private readonly names = new Set<string>();

  /** A name not used yet: `base`, or `base_1`, `base_2`, … */
  uniqueName(base: string): string {
    let n = base;
    for (let i = 1; this.names.has(n); i++) n = `${base}_${i}`;
    this.names.add(n);
    return n;
  }

  /** Adds a tensor; returns its index. */
  tensor(t: DraftTensor): number {
    this.graph.tensors.push({ ...t, name: this.uniqueName(t.name) });
    return this.graph.tensors.length - 1;
  }

  /** Adds an int32 constant (shapes, axes, paddings, indices). */
  int32(name: string, values: number[], shape: number[] = [values.length]): number {
    return this.tensor({ name, shape, dtype: 'int32', data: Int32Array.from(values), role: 'shape' });
  }

  /** Runs `emit` and marks every op it adds as a float island (decompositions whose intermediates have no calibrated range). */
  floatIsland(emit: () => void): void {
    const first = this.graph.ops.length;
    emit();
    for (const o of this.graph.ops.slice(first)) o.float = true;
  }

  /** Adds an operator. */
  op(op: BuiltinOpName, inputs: number[], outputs: number[], node: string, options?: { table: string; values: TflOptions }, version?: number): DraftOp {
    const o: DraftOp = { op, inputs, outputs, node, ...(options ? { options } : {}), ...(version ? { version } : {}) };
    this.graph.ops.push(o);
    return o;
  }
}
