// Runtime adapter for TensorFlow.js (CPU backend, pure JS): runs a model.json as TF.js itself does — the reference for TF.js models.
import { OndeviceError } from '../errors.ts';
import type { DType } from '../ir/dtype.ts';
import type { Dim } from '../ir/graph.ts';
import { readModelJson, tfjsKind, type TfjsModelJson } from '../formats/tfjs/model-json.ts';
import { readGroupBytes } from '../formats/tfjs/weights.ts';
import { decodeShape } from '../formats/tfjs/graph-attrs.ts';
import { tfDType } from '../ir/tf-dtypes.ts';
import type { HostTensor, IoInfo, Runtime, RuntimeInfo, RuntimeSession, SessionOptions } from './runtime.ts';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfConverter = typeof import('@tensorflow/tfjs-converter');
type TfLayers = typeof import('@tensorflow/tfjs-layers');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

interface TfjsModules { tf: TfCore; converter: TfConverter; layers: TfLayers }
let modules: Promise<TfjsModules> | undefined;

/** Loads tfjs-core, its CPU backend, the converter and layers on first use, and selects the CPU backend. */
function tfjs(): Promise<TfjsModules> {
  modules ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const [converter, layers] = await Promise.all([import('@tensorflow/tfjs-converter'), import('@tensorflow/tfjs-layers')]);
    // Production mode: no per-op NaN checks and no "install tfjs-node" banner on the first tensor.
    tf.enableProdMode();
    await tf.setBackend('cpu');
    return { tf, converter, layers };
  })();
  return modules;
}

/** A TF tensor name as an IR value name: `x:0` → `x`, `x:k` stays. */
function valueName(tensorName: string): string {
  return tensorName.endsWith(':0') ? tensorName.slice(0, -2) : tensorName;
}

/** Shape from a JSON TensorShapeProto (−1 unknown); an unknown or malformed one as rank 0 (the session reports what it gets). */
function protoShape(shape: unknown): Dim[] {
  try {
    return decodeShape(shape) ?? [];
  } catch {
    return [];
  }
}

/** The IR dtype of a `DT_*` name, or 'unknown'. */
const fromTfType = (name: string | undefined): DType | 'unknown' => tfDType(name) ?? 'unknown';

interface GraphNodeJson { name: string; op: string; input?: string[]; attr?: Record<string, { type?: string; shape?: unknown }> }

/** Inputs and outputs of a graph model: by its signature (tensor names without `:0`), else Placeholders and unconsumed nodes. */
function graphIo(json: TfjsModelJson): { inputs: IoInfo[]; outputs: IoInfo[] } {
  const nodes = (json.modelTopology.node ?? []) as GraphNodeJson[];
  const sig = json.signature as { inputs?: Record<string, { name: string; dtype?: string; tensorShape?: unknown }>; outputs?: Record<string, { name: string; dtype?: string; tensorShape?: unknown }> } | undefined;
  const fromSig = (entries: Record<string, { name: string; dtype?: string; tensorShape?: unknown }>): IoInfo[] =>
    Object.values(entries).map((e) => ({ name: valueName(e.name), dtype: fromTfType(e.dtype), shape: protoShape(e.tensorShape) }));
  const inputs = sig?.inputs && Object.keys(sig.inputs).length > 0
    ? fromSig(sig.inputs)
    : nodes.filter((n) => n.op === 'Placeholder').map((n) => ({ name: n.name, dtype: fromTfType(n.attr?.dtype?.type), shape: protoShape(n.attr?.shape?.shape) }));
  if (sig?.outputs && Object.keys(sig.outputs).length > 0) return { inputs, outputs: fromSig(sig.outputs) };
  const consumed = new Set(nodes.flatMap((n) => (n.input ?? []).map((i) => i.replace(/^\^/, '').split(':')[0])));
  // Without a signature the dtype is the node's own type attribute, where it has one (T, dtype, DstT, out_type).
  const typeOf = (n: GraphNodeJson): DType | 'unknown' => fromTfType(['T', 'dtype', 'DstT', 'out_type'].map((a) => n.attr?.[a]?.type).find(Boolean));
  return { inputs, outputs: nodes.filter((n) => !consumed.has(n.name) && n.op !== 'NoOp').map((n) => ({ name: n.name, dtype: typeOf(n), shape: [] })) };
}

/** Output names of a layers model as the IR names them: output t of call k of layer L is `L`, or `L:k:t` unless k = t = 0. */
function layersOutputNames(json: TfjsModelJson, fallback: string[]): string[] {
  const topo = json.modelTopology as { model_config?: { config?: { output_layers?: unknown } }; config?: { output_layers?: unknown } };
  const spec = (topo.model_config?.config ?? topo.config)?.output_layers;
  if (!Array.isArray(spec) || spec.length !== fallback.length) return fallback;
  return spec.map((o, i) => {
    if (!Array.isArray(o) || typeof o[0] !== 'string') return fallback[i];
    const [layer, k = 0, t = 0] = o as [string, number?, number?];
    return k === 0 && t === 0 ? layer : `${layer}:${k}:${t}`;
  });
}

/** TF.js dtype for a feed: TF.js computes integers as int32 (uint8 images included) and has no float16/64. */
function tfjsDtype(dtype: DType): 'float32' | 'int32' | 'bool' {
  if (dtype === 'bool') return 'bool';
  if (/^u?int/.test(dtype)) return 'int32';
  return 'float32';
}

function toTfjsTensor(tf: TfCore, t: HostTensor, name: string, file: string): TfTensor {
  if (t.dtype === 'string' || t.dtype === 'float16') throw new OndeviceError(`TensorFlow.js runtime cannot take ${t.dtype} input '${name}'`, { file });
  const dtype = tfjsDtype(t.dtype);
  const src = t.data as ArrayLike<number | bigint>;
  let data: Float32Array | Int32Array | Uint8Array;
  if (dtype === 'float32') data = t.data instanceof Float32Array ? t.data : Float32Array.from(src as ArrayLike<number>, Number);
  else if (dtype === 'int32') data = t.data instanceof Int32Array ? t.data : Int32Array.from(src as ArrayLike<number>, Number);
  else data = t.data instanceof Uint8Array ? t.data : Uint8Array.from(src as ArrayLike<number>, Number);
  return tf.tensor(data, t.dims, dtype);
}

/**
 * A TF.js output as a HostTensor of the dtype TF.js declares (float32, int32 or bool); the CPU backend sometimes keeps
 * another array type behind a tensor (an int32 array behind a float32 Cast), so the values are converted when needed.
 */
async function fromTfjsTensor(t: TfTensor): Promise<HostTensor> {
  const values = (await t.data()) as ArrayLike<number>;
  const dims = [...t.shape];
  if (t.dtype === 'int32') return { dtype: 'int32', dims, data: values instanceof Int32Array ? values : Int32Array.from(values) };
  if (t.dtype === 'bool') return { dtype: 'bool', dims, data: values instanceof Uint8Array ? values : Uint8Array.from(values) };
  return { dtype: 'float32', dims, data: values instanceof Float32Array ? values : Float32Array.from(values) };
}

/** Runs a loaded model on TF.js tensors keyed by IR names; returns outputs in the order of `fetches`. */
type Execute = (feeds: Record<string, TfTensor>, fetches: string[]) => Promise<TfTensor[]>;

class TfjsSession implements RuntimeSession {
  constructor(
    private readonly tf: TfCore, private readonly modelPath: string, readonly inputs: IoInfo[], readonly outputs: IoInfo[],
    readonly info: RuntimeInfo, private readonly execute: Execute, private readonly dispose: () => void,
  ) {}

  async run(feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>> {
    const names = fetches ?? this.outputs.map((o) => o.name);
    const inputs: Record<string, TfTensor> = {};
    let results: TfTensor[] = [];
    try {
      for (const [name, t] of Object.entries(feeds)) inputs[name] = toTfjsTensor(this.tf, t, name, this.modelPath);
      results = await this.execute(inputs, names);
      const out: Record<string, HostTensor> = {};
      for (const [i, name] of names.entries()) out[name] = await fromTfjsTensor(results[i]);
      return out;
    } catch (e) {
      if (e instanceof OndeviceError) throw e;
      throw new OndeviceError(`TensorFlow.js failed to run: ${String((e as Error).message).split('\n')[0]}`, { file: this.modelPath, cause: e });
    } finally {
      this.tf.dispose([...Object.values(inputs), ...results]);
    }
  }

  async release(): Promise<void> {
    this.dispose();
  }
}

/** The model.json's weights as TF.js wants them in memory: every group's specs in order, and their shards concatenated. */
function weightArtifacts(path: string, json: TfjsModelJson): { weightSpecs: TfjsModelJson['weightsManifest'][number]['weights']; weightData: ArrayBuffer } {
  const groups = json.weightsManifest.map((g) => readGroupBytes(path, g));
  const all = new Uint8Array(groups.reduce((s, g) => s + g.length, 0));
  let off = 0;
  for (const g of groups) {
    all.set(g, off);
    off += g.length;
  }
  return { weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: all.buffer };
}

type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;
type SymbolicTensor = import('@tensorflow/tfjs-layers').SymbolicTensor;

/**
 * Runs a layers model for any fetch list: its outputs, or any layer call's output named as the IR names it (output t of
 * call k of layer L: `L`, or `L:k:t`), through a sub-model over the same layers built once per fetch list.
 */
function layersExecutor(layers: TfLayers, model: LayersModel, inputNames: string[], outputNames: string[], path: string): Execute {
  const subModels = new Map<string, LayersModel>();
  const symbolic = (name: string): SymbolicTensor => {
    const i = outputNames.indexOf(name);
    if (i >= 0) return model.outputs[i];
    const [layer, k = '0', t = '0'] = name.split(':');
    const found = model.layers.find((l) => l.name === layer)?.inboundNodes[Number(k)]?.outputTensors[Number(t)];
    if (!found) throw new OndeviceError(`TensorFlow.js model has no layer output '${name}' (outputs: ${outputNames.join(', ')})`, { file: path });
    return found;
  };
  return async (feeds, fetches) => {
    const missing = inputNames.filter((n) => !feeds[n]);
    if (missing.length) throw new OndeviceError(`TensorFlow.js model needs input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')}`, { file: path });
    const key = fetches.join('\n');
    let run = key === outputNames.join('\n') ? model : subModels.get(key);
    if (!run) subModels.set(key, (run = layers.model({ inputs: model.inputs, outputs: fetches.map(symbolic) })));
    const r = run.predict(inputNames.map((n) => feeds[n]));
    return Array.isArray(r) ? r : [r];
  };
}

/** Loads a model.json into a session: graph models run with `executeAsync` (control flow, NMS), layers models with `predict`. */
async function loadTfjs(path: string): Promise<RuntimeSession> {
  const json = readModelJson(path);
  const kind = tfjsKind(json, path);
  const { tf, converter, layers } = await tfjs();
  const artifacts = { ...weightArtifacts(path, json), modelTopology: json.modelTopology, signature: json.signature, modelInitializer: json.modelInitializer, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy } as import('@tensorflow/tfjs-core').io.ModelArtifacts;
  const handler = tf.io.fromMemory(artifacts);
  const info: RuntimeInfo = { runtime: 'tfjs', engine: 'TensorFlow.js', version: tf.version_core, threads: 1, backend: 'cpu' };
  try {
    if (kind === 'graph-model') {
      const model = await converter.loadGraphModel(handler);
      const { inputs, outputs } = graphIo(json);
      const execute: Execute = async (feeds, fetches) => {
        const r = await model.executeAsync(feeds, fetches);
        return Array.isArray(r) ? r : [r];
      };
      return new TfjsSession(tf, path, inputs, outputs, info, execute, () => model.dispose());
    }
    const model = await layers.loadLayersModel(handler);
    // tfjs-layers leaves inputNames/outputNames empty on a Sequential model: its symbolic tensors still carry the names
    // the reader gives (`<first layer>_input`, the last layer's name).
    const inputNames = model.inputNames.length === model.inputs.length ? model.inputNames : model.inputs.map((t) => t.name);
    const inputs: IoInfo[] = model.inputs.map((t, i) => ({ name: inputNames[i], dtype: t.dtype as DType, shape: t.shape.map((d) => d ?? null) }));
    const outputNames = layersOutputNames(json, model.outputNames.length === model.outputs.length ? model.outputNames : model.outputs.map((t) => t.sourceLayer.name));
    const outputs: IoInfo[] = model.outputs.map((t, i) => ({ name: outputNames[i], dtype: t.dtype as DType, shape: t.shape.map((d) => d ?? null) }));
    const execute = layersExecutor(layers, model, inputNames, outputNames, path);
    return new TfjsSession(tf, path, inputs, outputs, info, execute, () => model.dispose());
  } catch (e) {
    const first = String((e as Error).message).split('\n')[0];
    throw new OndeviceError(`TensorFlow.js cannot load the model: ${first}`, { file: path, cause: e });
  }
}

/** TensorFlow.js 4 on its CPU backend (pure JavaScript, one thread): the reference runtime for model.json files. */
export const tfjsRuntime: Runtime = {
  name: 'tfjs',
  formats: ['tfjs'],
  async available() {
    try {
      await tfjs();
      return true;
    } catch (e) {
      return `TensorFlow.js cannot load: ${(e as Error).message}`;
    }
  },
  load(modelPath: string, _options: SessionOptions = {}): Promise<RuntimeSession> {
    return loadTfjs(modelPath);
  },
};
