// A pre-quantized model given to `compile`: dequantized to float first, with the note saying so.
import type { Model } from '../ir/graph.ts';
import { dequantizeModel, describeOpCounts, type DequantizeOutcome } from '../passes/dequantize/index.ts';

/** What compile did with a pre-quantized input. */
export interface PreQuantizedNote {
  /** Quantization ops found in the input, by op. */
  found: [string, number][];
  /** Rewrites by pattern (see {@link DequantizeOutcome.counts}). */
  counts: DequantizeOutcome['counts'];
  /** Quantization ops the dequantize pass could not rewrite (the compile then fails on them for TFLite). */
  left: [string, number][];
  /** The one-line note for the user. */
  message: string;
}

/**
 * Dequantizes `model` in place when it holds quantization ops (QDQ, ConvInteger/MatMulInteger, QLinear ops,
 * MatMulNBits): the compilers map float ops, and the user quantizes for the target instead. Undefined for a float model.
 */
export function dequantizeForCompile(model: Model, target: 'tflite' | 'onnx'): PreQuantizedNote | undefined {
  const outcome = dequantizeModel(model);
  if (!outcome.found.length) return undefined;
  const how = target === 'tflite' ? 'use --quantize to quantize for the target' : 'use `ondevice quantize` to quantize for onnxruntime';
  const left = outcome.left.length ? ` (${describeOpCounts(outcome.left)} could not be dequantized)` : '';
  return {
    found: outcome.found, counts: outcome.counts, left: outcome.left,
    message: `model was pre-quantized (${describeOpCounts(outcome.found)}): compiled from its dequantized float weights${left}; ${how}`,
  };
}
