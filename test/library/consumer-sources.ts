// The two consumer programs the library tests install into a throwaway project: plain-Node ESM and a strict NodeNext TypeScript file.

/** ESM run by plain `node` (no tsx): argv = [lenet5.onnx, output.onnx]; prints what it found as one JSON line. */
export const PLAIN_NODE_MAIN = `
import { DEFAULT_MODEL, inspectModel, quantizeModel, readModel, resolveRuntime, writeModel } from 'ondevice';

const [lenet, out] = process.argv.slice(2);
const summary = await inspectModel(lenet);
const model = await readModel(lenet);
const { model: half, report } = await quantizeModel(model, { scheme: 'fp16' });
await writeModel(half, out);
const reread = await readModel(out);
const session = await (await resolveRuntime({ name: 'ort-node' })).load(out);
const outputs = await session.run({ input: { dtype: 'float32', dims: [1, 1, 28, 28], data: new Float32Array(784) } });
await session.release();
console.log(JSON.stringify({
  resolved: import.meta.resolve('ondevice'),
  execArgv: process.execArgv,
  defaultModel: DEFAULT_MODEL.path,
  nodeCount: summary.nodeCount,
  inputs: summary.inputs.map((i) => i.name),
  ops: summary.ops,
  scheme: report.scheme,
  weightDtypes: [...new Set([...reread.graph.initializers.values()].map((t) => t.dtype))].sort(),
  provenance: reread.metadata.some(([k]) => k === 'ondevice.quantization'),
  logits: outputs.logits.dims,
}));
`;

/** A strict NodeNext consumer; `Exact` fails to compile if a type the package declares degraded to `any`. */
export const TYPED_CONSUMER = `
import { inspectModel, quantizeModel, readModel, SCHEMES, UsageError, type Model, type ModelSummary, type QuantizeResult, type Scheme } from 'ondevice';

type IsAny<T> = 0 extends 1 & T ? true : false;
const notAny = <T>(value: T, isAny: IsAny<T>): T => (isAny ? value : value);

const model: Model = notAny(await readModel('lenet5.onnx'), false);
const summary: ModelSummary = notAny(await inspectModel('lenet5.onnx'), false);
const scheme: Scheme = notAny(SCHEMES[0], false);
const result: QuantizeResult = notAny(await quantizeModel(model, { scheme }), false);
const count: number = summary.nodeCount + result.report.warnings.length + model.graph.nodes.length;
// @ts-expect-error: not a scheme
await quantizeModel(model, { scheme: 'int3' });
const error: Error = new UsageError('bad option');
console.log(count, error.message);
`;

/** tsconfig.json of the typed consumer: NodeNext, strict, the package's declaration files checked too (not TypeScript's own lib files: time). */
export const TYPED_TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true,
    noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, types: ['node'],
  },
  files: ['index.ts'],
}, null, 2);
