// `compile` as a library call: read a model, run the passes, and write it for a target (ONNX Runtime or TFLite).
import { statSync } from 'node:fs';
import { OndeviceError, UsageError, withFile } from '../errors.ts';
import { readVerifiedModel } from '../formats/read-verified.ts';
import { writeModel } from '../formats/registry.ts';
import { writeFileAtomic } from '../util/atomic-file.ts';
import type { Model } from '../ir/graph.ts';
import { DEFAULT_PASSES, runPasses } from '../passes/index.ts';
import { compileToTflite, type TfliteCompileOptions, type TfliteCompileReport } from './tflite/compile.ts';
import { fixInputShapes } from './tflite/prepare.ts';

/** Compile targets. */
export const TARGETS = ['tflite', 'onnx'] as const;
/** A compile target. */
export type Target = (typeof TARGETS)[number];

/** Options for {@link compileFile}. */
export interface CompileOptions extends Omit<TfliteCompileOptions, 'calibration'> {
  target: Target;
  /** Calibration data for w8a8, opened against the model's inputs once the model is read. */
  calibration?: TfliteCompileOptions['calibration'] | ((model: Model) => Promise<TfliteCompileOptions['calibration']>);
}

/** What `compile` did: ops in the output, transposes and sizes. */
export interface CompileReport {
  target: Target;
  output: string;
  inputBytes: number;
  outputBytes: number;
  /** Op type → count in the written model. */
  ops: Record<string, number>;
  /** TFLite only: boundary and inner TRANSPOSE ops. */
  transposes?: TfliteCompileReport['transposes'];
  quantize: string;
  hardSwishFused?: number;
  /** Node count change per pass. */
  passes: { name: string; nodesBefore: number; nodesAfter: number }[];
}

/**
 * Reads `input`, compiles it for `options.target` and writes `output` atomically. For 'onnx' the
 * default passes run and the result is written as ONNX (quantization is `ondevice quantize`'s job).
 * Nothing is written when an op cannot be mapped (UnmappableOpsError). Errors name `input` unless they name another file.
 */
export async function compileFile(input: string, output: string, options: CompileOptions): Promise<CompileReport> {
  try {
    return await compile(input, output, options);
  } catch (e) {
    throw e instanceof OndeviceError ? withFile(e, input) : e;
  }
}

async function compile(input: string, output: string, options: CompileOptions): Promise<CompileReport> {
  const { model } = await readVerifiedModel(input);
  const inputBytes = statSync(input).size;
  if (options.target === 'onnx') {
    if (options.quantize && options.quantize !== 'none') throw new UsageError('--quantize is for --target tflite; use `ondevice quantize` for ONNX');
    if (options.inputShapes) fixInputShapes(model, options.inputShapes);
    const { model: out, stats } = await runPasses(model, DEFAULT_PASSES);
    await writeModel(out, output, { format: 'onnx' });
    const ops: Record<string, number> = {};
    for (const n of out.graph.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
    return { target: 'onnx', output, inputBytes, outputBytes: statSync(output).size, ops, quantize: 'none', passes: stats.map(({ name, nodesBefore, nodesAfter }) => ({ name, nodesBefore, nodesAfter })) };
  }
  const calibration = typeof options.calibration === 'function' ? await options.calibration(model) : options.calibration;
  const { bytes, report } = await compileToTflite(model, { ...options, calibration });
  writeFileAtomic(output, bytes);
  return {
    target: 'tflite', output, inputBytes, outputBytes: bytes.byteLength, ops: report.ops, transposes: report.transposes,
    quantize: report.quantize, hardSwishFused: report.hardSwishFused,
    passes: report.passes.map(({ name, nodesBefore, nodesAfter }) => ({ name, nodesBefore, nodesAfter })),
  };
}

export { compileToTflite, tfliteOpStats, TFLITE_QUANTIZATIONS, type TfliteCompileOptions, type TfliteCompileReport, type TfliteQuantization } from './tflite/compile.ts';
export { UnmappableOpsError, type UnmappedOp } from './tflite/errors.ts';
export { parseInputShapes, type InputShapes } from './tflite/prepare.ts';
