// Turns the draft graph into the TFLite model object: opcodes (both code fields), buffers, tensors, options, signature.
import { GraphError } from '../../errors.ts';
import { BUILTIN_OPS, tensorTypeOf } from '../../formats/tflite/schema/enums.ts';
import { unionTypeOf } from '../../formats/tflite/schema/tables.ts';
import type { TflBuffer, TflModel, TflOperatorCode, TflTensor } from '../../formats/tflite/schema/types.ts';
import type { DraftGraph } from './draft.ts';

/** TFLite schema version written. */
export const SCHEMA_VERSION = 3;

/** Operator versions whose int8 (or float16-input) kernels need more than version 1. */
const INT8_VERSIONS: Record<string, number> = {
  CONV_2D: 3, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 4, ADD: 2, SUB: 2, MUL: 2, AVERAGE_POOL_2D: 2, MAX_POOL_2D: 2,
  SOFTMAX: 2, LOGISTIC: 2, TANH: 2, CONCATENATION: 2, PAD: 2, PADV2: 2, MEAN: 2, TRANSPOSE: 2, QUANTIZE: 2,
  DEQUANTIZE: 2, RESIZE_BILINEAR: 2, RESIZE_NEAREST_NEIGHBOR: 2, GATHER: 2, SLICE: 2, STRIDED_SLICE: 2, RELU: 2,
  RELU6: 2, MAXIMUM: 2, MINIMUM: 2, SPLIT_V: 2, REDUCE_MAX: 2, HARD_SWISH: 1, RESHAPE: 1, LEAKY_RELU: 2,
  TRANSPOSE_CONV: 3, BATCH_MATMUL: 2, GATHER_ND: 2, MIRROR_PAD: 2, LOG_SOFTMAX: 2, RSQRT: 2, SQUARED_DIFFERENCE: 2,
  GELU: 2, SUM: 2,
};

function bytesOf(data: NonNullable<DraftGraph['tensors'][number]['data']>): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Builds the model object; `metadata` entries are stored as named UTF-8 buffers. */
export function finalizeDraft(g: DraftGraph, description: string, metadata: [string, string][] = []): TflModel {
  const buffers: TflBuffer[] = [{}];
  const codes: TflOperatorCode[] = [];
  const codeIndex = new Map<string, number>();
  const tensors: TflTensor[] = g.tensors.map((t) => {
    const type = tensorTypeOf(t.dtype);
    if (type === undefined) throw new GraphError(`tensor '${t.name}': dtype ${t.dtype} has no TFLite type`);
    let buffer = 0;
    if (t.data) buffer = buffers.push({ data: bytesOf(t.data) }) - 1;
    return { shape: [...t.shape], type, buffer, name: t.name, ...(t.quantization ? { quantization: t.quantization } : {}), has_rank: true };
  });
  const operators = g.ops.map((op) => {
    const inputType = g.tensors[op.inputs[0]]?.dtype;
    const base = inputType === 'int8' || g.tensors[op.outputs[0]]?.dtype === 'int8' ? INT8_VERSIONS[op.op] ?? 1 : op.op === 'DEQUANTIZE' && inputType === 'float16' ? 3 : 1;
    const version = Math.max(base, op.version ?? 1);
    const key = `${op.op}@${version}`;
    let index = codeIndex.get(key);
    if (index === undefined) {
      const code = BUILTIN_OPS[op.op];
      index = codes.push({ deprecated_builtin_code: Math.min(code, BUILTIN_OPS.PLACEHOLDER_FOR_GREATER_OP_CODES), builtin_code: code, version }) - 1;
      codeIndex.set(key, index);
    }
    return {
      opcode_index: index, inputs: op.inputs, outputs: op.outputs,
      ...(op.options ? { builtin_options_type: unionTypeOf('BuiltinOptions', op.options.table), builtin_options: op.options.values } : {}),
    };
  });
  const meta = metadata.map(([name, value]) => ({ name, buffer: buffers.push({ data: new TextEncoder().encode(value) }) - 1 }));
  return {
    version: SCHEMA_VERSION, operator_codes: codes, description, buffers, metadata: meta,
    subgraphs: [{ tensors, inputs: g.inputs, outputs: g.outputs, operators, name: 'main' }],
    signature_defs: [{
      inputs: g.inputs.map((i) => ({ name: tensors[i].name, tensor_index: i })),
      outputs: g.outputs.map((i) => ({ name: tensors[i].name, tensor_index: i })),
      signature_key: 'serving_default', subgraph_index: 0,
    }],
  };
}
