// What `inspect` says about a Core ML model: I/O as apps see it, specification version and iOS, opset, ops, weights by dtype and storage, problems.
import { statSync } from 'node:fs';
import { elementCount, packedByteLength } from './blob.ts';
import { readCoreMlDetailed } from './read.ts';
import { IOS_TARGETS, type CoreMlFeature, type CoreMlMetadata, type MilDtype } from './program.ts';
import { validateCoreMlPackage } from './validate.ts';

/** Constant tensors of one element type and storage. */
export interface CoreMlWeightGroup {
  dtype: MilDtype;
  /** 'blob': in weights/weight.bin; 'immediate': inline in model.mlmodel. */
  storage: 'blob' | 'immediate';
  tensors: number;
  elements: number;
  /** Data bytes (sub-byte types packed; strings count 0). */
  bytes: number;
}

/** The facts `inspect` prints for an .mlpackage or .mlmodel. */
export interface CoreMlFacts {
  specificationVersion: number;
  /** The iOS version the specification version first runs on, when it is one ondevice targets. */
  ios?: number;
  /** Function name → opset (ondevice writes one function, 'main'). */
  opsets: Record<string, string>;
  inputs: CoreMlFeature[];
  outputs: CoreMlFeature[];
  predictedFeatureName?: string;
  predictedProbabilitiesName?: string;
  /** Operations over all functions, and by type (most frequent first). */
  operations: number;
  ops: Record<string, number>;
  weights: CoreMlWeightGroup[];
  modelFileBytes: number;
  /** Bytes of the weight files the program refers to. */
  weightFileBytes: number;
  /** The program's buildInfo entries. */
  buildInfo: Record<string, string>;
  metadata: CoreMlMetadata;
  /** What the structural validator found; [] = valid. */
  problems: string[];
}

/**
 * Reads the package (or bare .mlmodel) at `path` and describes it; the validator's problems are listed, not thrown.
 * @throws FormatError naming the file when the package cannot be read at all.
 */
export async function describeCoreMlPackage(path: string): Promise<CoreMlFacts> {
  const read = readCoreMlDetailed(path);
  const { model } = read;
  const hist = new Map<string, number>();
  let operations = 0;
  for (const f of Object.values(model.program.functions)) {
    for (const op of f.operations) {
      hist.set(op.type, (hist.get(op.type) ?? 0) + 1);
      operations++;
    }
  }
  const groups = new Map<string, CoreMlWeightGroup>();
  for (const t of read.tensors) {
    if (t.type.dtype === 'string') continue; // op names, modes, class labels: not weights
    const key = `${t.type.dtype}/${t.storage}`;
    const g = groups.get(key) ?? { dtype: t.type.dtype, storage: t.storage, tensors: 0, elements: 0, bytes: 0 };
    const n = elementCount(t.type.shape);
    g.tensors++;
    g.elements += n;
    g.bytes += packedByteLength(t.type.dtype, n);
    groups.set(key, g);
  }
  const ios = Object.entries(IOS_TARGETS).find(([, t]) => t.specificationVersion === model.specificationVersion)?.[0];
  const d = model.description;
  return {
    specificationVersion: model.specificationVersion,
    ...(ios ? { ios: Number(ios) } : {}),
    opsets: Object.fromEntries(Object.entries(model.program.functions).map(([n, f]) => [n, f.opset])),
    inputs: d.inputs,
    outputs: d.outputs,
    ...(d.predictedFeatureName ? { predictedFeatureName: d.predictedFeatureName } : {}),
    ...(d.predictedProbabilitiesName ? { predictedProbabilitiesName: d.predictedProbabilitiesName } : {}),
    operations,
    ops: Object.fromEntries([...hist].sort((a, b) => b[1] - a[1])),
    weights: [...groups.values()].sort((a, b) => b.bytes - a.bytes),
    modelFileBytes: statSync(read.files.modelFile).size,
    weightFileBytes: read.weightFiles.reduce((n, f) => n + statSync(f).size, 0),
    buildInfo: model.program.attributes,
    metadata: d.metadata,
    problems: await validateCoreMlPackage(path),
  };
}
