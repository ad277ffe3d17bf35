// Library entry for `inspect`: read any supported model file, verify its graph and summarise it.
import { describeEpContexts } from './compile/qnn/ep-context.ts';
import { qnnPlacement } from './compile/qnn/placement.ts';
import { tflitePlacement } from './compile/tflite/placement.ts';
import { UsageError } from './errors.ts';
import { readVerifiedModel } from './formats/read-verified.ts';
import { detectFormat } from './formats/registry.ts';
import { describeTfjs } from './formats/tfjs/describe.ts';
import { readModelJson } from './formats/tfjs/model-json.ts';
import { summarizeModel, type ModelSummary } from './report/summary.ts';
import { fixInputShapes } from './compile/prepare.ts';
import { isCoreMlPath } from './formats/coreml/package.ts';
import { describeCoreMlPackage } from './formats/coreml/describe.ts';
import { summarizeCoreMl } from './report/coreml-summary.ts';
import type { InputShapes } from './ir/input-shapes.ts';

/** Options for {@link inspectModel}. */
export interface InspectOptions {
  /** 'qnn': add the per-node placement on ONNX Runtime's QNN EP (HTP backend); 'tflite': on LiteRT's XNNPACK and GPU delegates. */
  target?: string;
  /** With `target`: fixed input shapes (`--input-shape`) the placement assumes, as `compile` would fix them. */
  inputShapes?: InputShapes;
}

/**
 * Reads `file` (format detected by extension and magic bytes), verifies the graph and returns its summary.
 * Verifier warnings become summary warnings; a structural error (cycle, dangling input, ...) throws. A TF.js model.json
 * also gets its kind (graph/layers), converter and weight storage (float32/float16/uint8 counts). EPContext nodes are
 * described; `target: 'qnn'` adds the QNN placement report, `target: 'tflite'` the LiteRT delegate placement.
 * A Core ML .mlpackage folder (or .mlmodel file) is read by the Core ML reader, not into the IR: its summary carries
 * `coreml` (I/O as apps see it, specification version and iOS, opset, weights by storage, validator problems).
 */
export async function inspectModel(file: string, options: InspectOptions = {}): Promise<ModelSummary> {
  if (options.target !== undefined && options.target !== 'qnn' && options.target !== 'tflite') throw new UsageError(`inspect --target: unknown target '${options.target}' (known: qnn, tflite)`);
  if (isCoreMlPath(file)) {
    if (options.target !== undefined) throw new UsageError(`inspect --target ${options.target} reads ${options.target === 'qnn' ? 'ONNX' : '.tflite'} models; ${file} is a Core ML model`);
    return summarizeCoreMl(file, await describeCoreMlPackage(file));
  }
  const format = await detectFormat(file);
  const { model, warnings: issues } = await readVerifiedModel(file);
  const summary = summarizeModel(model, file, format.name);
  summary.warnings.push(...issues.map((i) => i.message));
  if (format.name === 'tfjs') summary.tfjs = describeTfjs(readModelJson(file), file);
  const contexts = describeEpContexts(model);
  if (contexts.length > 0) summary.epContexts = contexts;
  if (options.target === 'qnn') {
    if (format.name !== 'onnx') throw new UsageError(`inspect --target qnn reads ONNX models; ${file} is ${format.name}`);
    if (options.inputShapes && Object.keys(options.inputShapes).length > 0) fixInputShapes(model, options.inputShapes);
    summary.qnn = qnnPlacement(model);
  }
  if (options.target === 'tflite') {
    if (format.name !== 'tflite') throw new UsageError(`inspect --target tflite reads .tflite models; ${file} is ${format.name}: compile it first with 'ondevice compile ${file} --target tflite -o OUT.tflite'`);
    if (options.inputShapes && Object.keys(options.inputShapes).length > 0) throw new UsageError('inspect --target tflite: --input-shape is for ONNX models; compile with --input-shape instead');
    summary.tflite = tflitePlacement(model);
  }
  return summary;
}
