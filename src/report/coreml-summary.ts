// `inspect` of a Core ML model: its facts as a ModelSummary, and the Core ML lines the terminal text adds.
import type { CoreMlFacts } from '../formats/coreml/describe.ts';
import type { CoreMlFeature, MilDtype } from '../formats/coreml/program.ts';
import type { DType } from '../ir/dtype.ts';
import { formatBytes, formatCount } from './format.ts';
import type { IoSummary, ModelSummary } from './summary.ts';
import { renderTable } from './table.ts';

const IR_DTYPE: Record<MilDtype, DType> = {
  bool: 'bool', string: 'string', fp16: 'float16', fp32: 'float32', fp64: 'float64', int4: 'int4', int8: 'int8', int16: 'int16',
  int32: 'int32', int64: 'int64', uint4: 'uint4', uint8: 'uint8', uint16: 'uint16', uint32: 'uint32',
};

/** An input or output as apps see it: a multi-array's element type and shape, an image's colour space and [height, width]. */
function io(f: CoreMlFeature): IoSummary {
  const t = f.type;
  switch (t.kind) {
    case 'multiArray': return { name: f.name, dtype: t.dtype, shape: t.shape };
    case 'image': return { name: f.name, dtype: `image ${t.colorSpace}`, shape: [t.height, t.width] };
    case 'dictionary': return { name: f.name, dtype: `dictionary<${t.keyType}, double>`, shape: null };
    default: return { name: f.name, dtype: t.kind, shape: [] };
  }
}

/** The summary `inspect` returns for a Core ML model at `file` (a folder for an .mlpackage). */
export function summarizeCoreMl(file: string, facts: CoreMlFacts): ModelSummary {
  const bytesByDtype: Partial<Record<DType, number>> = {};
  for (const w of facts.weights) bytesByDtype[IR_DTYPE[w.dtype]] = (bytesByDtype[IR_DTYPE[w.dtype]] ?? 0) + w.bytes;
  const b = facts.buildInfo;
  // 'producer' or a namespaced '….producer' entry (ondevice), else coremltools' version entry.
  const producer = Object.entries(b).find(([k]) => /(^|[.-])producer$/.test(k))?.[1] ?? (b['coremltools-version'] ? `coremltools ${b['coremltools-version']}` : undefined);
  const m = facts.metadata;
  return {
    file,
    fileBytes: facts.modelFileBytes,
    format: 'coreml',
    irVersion: facts.specificationVersion,
    producer: producer ?? '(unknown)',
    opsets: [...new Set(Object.values(facts.opsets))].map((o) => ({ domain: 'CoreML', version: Number(o.replace(/^CoreML/, '')) || 0 })),
    inputs: facts.inputs.map(io),
    outputs: facts.outputs.map(io),
    nodeCount: facts.operations,
    ops: facts.ops,
    parameters: facts.weights.reduce((n, w) => n + w.elements, 0),
    bytesByDtype,
    externalDataBytes: facts.weightFileBytes,
    metadata: {
      ...(m.author ? { author: m.author } : {}),
      ...(m.shortDescription ? { shortDescription: m.shortDescription } : {}),
      ...(m.license ? { license: m.license } : {}),
      ...(m.versionString ? { versionString: m.versionString } : {}),
      ...m.userDefined,
    },
    warnings: facts.problems.map((p) => `Core ML validator: ${p}`),
    coreml: facts,
  };
}

/** The Core ML lines of `inspect`'s text: specification version, iOS, opset, classifier outputs, weights by dtype and storage. */
export function formatCoreMlFacts(f: CoreMlFacts): string[] {
  const opsets = [...new Set(Object.values(f.opsets))].join(', ');
  const lines = [`Core ML specification ${f.specificationVersion}${f.ios ? ` (iOS ${f.ios}+)` : ''}, ML Program opset ${opsets}; ${formatCount(f.operations)} operations`];
  if (Object.keys(f.buildInfo).length) lines.push(`build info: ${Object.entries(f.buildInfo).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (f.predictedFeatureName) lines.push(`classifier: label in '${f.predictedFeatureName}'${f.predictedProbabilitiesName ? `, probabilities in '${f.predictedProbabilitiesName}'` : ''}`);
  if (f.weights.length) {
    lines.push(renderTable(['weights dtype', 'stored', 'tensors', 'elements', 'bytes'], f.weights.map((w) => [
      w.dtype, w.storage === 'blob' ? 'weight.bin' : 'inline', w.tensors, formatCount(w.elements), formatBytes(w.bytes),
    ])));
  }
  lines.push(f.problems.length ? `validator: ${f.problems.length} problem${f.problems.length === 1 ? '' : 's'} (listed below)` : 'validator: no problems found');
  return lines;
}
