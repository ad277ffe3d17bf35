// Registry of per-op static quantizers (as in onnxruntime's QDQ quantizer), with a keep-float default.
import type { Graph, Node } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { OP_QUANTIZERS as ACTIVATIONS } from './activations.ts';
import { OP_QUANTIZERS as CONV } from './conv.ts';
import { OP_QUANTIZERS as ELEMENTWISE } from './elementwise.ts';
import { OP_QUANTIZERS as GEMM } from './gemm.ts';
import { OP_QUANTIZERS as POOL } from './pool.ts';
import { OP_QUANTIZERS as RECURRENT } from './recurrent.ts';
import { OP_QUANTIZERS as SHAPE } from './shape.ts';
import { QNN_OP_QUANTIZERS as QNN } from './normalization.ts';

/** What an op quantizer may ask for; the QDQ plan carries it out once calibration ranges are known. */
export interface QdqMarker {
  readonly graph: Graph;
  /** True if the value is a float32 tensor (activation or constant). */
  isFloat(value: string): boolean;
  /** The float32 constant (initializer) behind a value, if it is one. */
  floatConstant(value: string): Tensor | undefined;
  /** True if the value will be available quantized (marked, or the fused input of a quantized activation). */
  isQuantized(value: string): boolean;
  /** Quantizes a value to the activation type (from its calibrated range, or a constant's own range). */
  activation(value: string): void;
  /** Quantizes `output` with the same scale and zero point as `input` (for ops that only move values). */
  shareParams(output: string, input: string): void;
  /** Quantizes the constant weight in `node.inputs[slot]` to int8, per channel along `axis` (if per-channel is on). */
  weight(node: Node, slot: number, axis: number | undefined): void;
  /** Quantizes the constant bias in `node.inputs[slot]` to int32 with scale = input scale × weight scale. */
  bias(node: Node, slot: number, inputSlot: number, weightSlot: number): void;
}

/** Marks what to quantize for one node; returns true, or why the node stays float. */
export type OpQuantizer = (node: Node, m: QdqMarker) => true | string;

/** A family's table of quantizers keyed by op type (default ONNX domain). */
export type OpQuantizerTable = Record<string, OpQuantizer>;

const REGISTRY: OpQuantizerTable = { ...CONV, ...GEMM, ...POOL, ...ELEMENTWISE, ...ACTIVATIONS, ...SHAPE, ...RECURRENT };

/** Pass-through default: the node stays float (onnxruntime has no integer kernel for it). */
const keepFloat: OpQuantizer = (node) => `no integer kernel for ${node.domain ? `${node.domain}.` : ''}${node.op} in onnxruntime`;

/** The quantizer for a node's op (the keep-float default when none is registered); `qnn` adds the QNN-only ones. */
export function quantizerFor(node: Node, qnn = false): OpQuantizer {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return keepFloat;
  if (qnn && Object.hasOwn(QNN, node.op)) return QNN[node.op];
  return Object.hasOwn(REGISTRY, node.op) ? REGISTRY[node.op] : keepFloat;
}

/** Op types with a registered quantizer. */
export function quantizableOps(): string[] {
  return Object.keys(REGISTRY).sort();
}
