// What `inspect` reports about a model: I/O, opsets, producer, op histogram, parameters, bytes by dtype, warnings.
import { statSync } from 'node:fs';
import type { Dim, Model, ValueType } from '../ir/graph.ts';
import { modelStats } from '../ir/stats.ts';
import type { DType } from '../ir/dtype.ts';
import type { TfjsFacts } from '../formats/tfjs/describe.ts';
import type { CoreMlFacts } from '../formats/coreml/describe.ts';
import type { EpContextFacts } from '../compile/qnn/ep-context.ts';
import type { QnnPlacementReport } from '../compile/qnn/placement.ts';
import type { TflitePlacementReport } from '../compile/tflite/placement.ts';

/** One input or output as `inspect` shows it. */
export interface IoSummary {
  name: string;
  dtype: string;
  shape: Dim[] | null;
}

/** The facts `ondevice inspect` prints (its --json output). */
export interface ModelSummary {
  file: string;
  fileBytes: number;
  format: string;
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  inputs: IoSummary[];
  outputs: IoSummary[];
  nodeCount: number;
  /** op type (domain-qualified when not the default domain) → count, most frequent first. */
  ops: Record<string, number>;
  /** Elements in initializers and Constant nodes. */
  parameters: number;
  bytesByDtype: Partial<Record<DType, number>>;
  externalDataBytes: number;
  metadata: Record<string, string>;
  warnings: string[];
  /** A TF.js model.json: graph or layers model, converter, how the weights are stored. */
  tfjs?: TfjsFacts;
  /** A Core ML .mlpackage or .mlmodel: specification version, iOS, opset, I/O as apps see it, weights by storage, validator problems. */
  coreml?: CoreMlFacts;
  /** com.microsoft EPContext nodes (a precompiled QNN context binary wrapped in ONNX), when there are any. */
  epContexts?: EpContextFacts[];
  /** `inspect --target qnn`: per-node placement on the QNN EP's HTP backend. */
  qnn?: QnnPlacementReport;
  /** `inspect --target tflite`: per-operator placement on LiteRT's XNNPACK and GPU delegates. */
  tflite?: TflitePlacementReport;
}

function ioOf(name: string, type: ValueType): IoSummary {
  if (type.kind === 'tensor' || type.kind === 'sparse_tensor') return { name, dtype: type.dtype, shape: type.shape ?? null };
  return { name, dtype: type.kind, shape: null };
}

/** Summarises a model read from `file` (in `format`). Loads no external data. */
export function summarizeModel(model: Model, file: string, format: string): ModelSummary {
  const stats = modelStats(model);
  const bytesByDtype: Partial<Record<DType, number>> = {};
  for (const [dtype, totals] of Object.entries(stats.bytesByDType)) bytesByDtype[dtype as DType] = totals!.bytes;
  const warnings: string[] = [];
  const defaultOpset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  // Only ONNX files must import the default domain (a .tflite or TF.js model holds its own framework's ops).
  if (!defaultOpset) {
    if (format === 'onnx') warnings.push('no opset import for the default ONNX domain');
  } else if (defaultOpset.version < 10) warnings.push(`old opset ${defaultOpset.version}: some runtimes and quantizers need ≥ 10`);
  const initNames = model.graph.initializers;
  for (const i of model.graph.inputs) {
    if (initNames.has(i.name)) continue;
    // A dynamic batch (first) dim is normal; dynamic spatial or channel dims cost on-device performance.
    if (i.type.kind === 'tensor' && i.type.shape?.slice(1).some((d) => typeof d !== 'number')) {
      warnings.push(`input '${i.name}' has dynamic dims [${i.type.shape.map((d) => d ?? '?').join(', ')}]: fix them for the best on-device performance`);
    }
  }
  if ((bytesByDtype.float64 ?? 0) > 0) warnings.push('float64 weights: most device runtimes want float32 or lower');
  if (model.graph.inputs.some((i) => initNames.has(i.name))) warnings.push('some initializers are also listed as graph inputs (IR < 4 style): they can be overridden at run time, which blocks constant folding');
  return {
    file,
    fileBytes: statSync(file).size,
    format,
    irVersion: model.irVersion,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') || '(unknown)',
    opsets: model.opsets.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    inputs: model.graph.inputs.filter((i) => !initNames.has(i.name)).map((i) => ioOf(i.name, i.type)),
    outputs: model.graph.outputs.map((o) => ioOf(o.name, o.type)),
    nodeCount: stats.nodes,
    ops: Object.fromEntries(stats.opHistogram),
    parameters: stats.parameters + stats.constantElements,
    bytesByDtype,
    externalDataBytes: stats.externalBytes,
    metadata: Object.fromEntries(model.metadata),
    warnings,
  };
}
