// Maps a TF.js layers model (Keras topology) onto the IR: one `ai.keras` node per layer call, NHWC as Keras computes.
import { FormatError } from '../../errors.ts';
import { isDType } from '../../ir/dtype.ts';
import { emptyGraph, type Dim, type Graph, type Model, type NodeAttributes } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { WeightIndex } from './keras-weights.ts';
import type { TfjsModelJson } from './model-json.ts';

/** Domain of the nodes read from a layers model; `op` is the Keras class name (e.g. `Conv2D`). */
export const KERAS_DOMAIN = 'ai.keras';

/** Keras classes that are whole models; a layer of one of these is inlined. */
const MODEL_CLASSES = new Set(['Model', 'Functional', 'Sequential']);

/** One layer entry of a Keras config. */
interface LayerSpec {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

/** A reference to output `tensor` of call `node` of layer `layer` (Keras' `[name, node_index, tensor_index]`). */
interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

/** One call of a layer: the tensors it reads and its keyword arguments. */
interface Call {
  inputs: TensorRef[];
  kwargs: Record<string, unknown>;
}

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/**
 * The node index Keras gives the first call of `layer` in its model's config: 1 for a nested functional model (its
 * node 0 links its own inputs to its outputs; Keras 2's Sequential is functional too, Keras 3's is not), else 0.
 */
function firstNode(layer: LayerSpec): number {
  if (layer.class_name === 'Model' || layer.class_name === 'Functional') return 1;
  const keras3 = layer.inbound_nodes?.some((n) => isObject(n)) ?? false;
  return layer.class_name === 'Sequential' && !keras3 ? 1 : 0;
}

/** The IR value name of output `t` of call `k` of layer `name`. */
function valueName(name: string, k: number, t: number): string {
  return k === 0 && t === 0 ? name : `${name}:${k}:${t}`;
}

/** Builds the IR graph of one model.json; scopes handle nested models inlined as layers. */
class LayersReader {
  readonly graph: Graph = emptyGraph('main');
  private readonly index: WeightIndex;
  private readonly weighted = new Map<string, { names: string[]; roles: string[] }>();
  private readonly produced = new Set<string>();

  constructor(private readonly weights: Map<string, Tensor>, private readonly file: string) {
    this.index = new WeightIndex(weights.keys(), file);
  }

  fail(message: string): never {
    throw new FormatError('tfjs', message, { file: this.file });
  }

  /** The layers list of a model config, each checked to have a class and a name. */
  layersOf(config: Record<string, unknown> | unknown[], what: string): LayerSpec[] {
    const list = Array.isArray(config) ? config : config.layers;
    if (!Array.isArray(list)) this.fail(`${what} has no 'layers' list`);
    return list.map((l, i) => {
      if (!isObject(l) || typeof l.class_name !== 'string') this.fail(`${what} layer ${i} has no class_name`);
      const cfg = isObject(l.config) ? l.config : {};
      const name = typeof l.name === 'string' ? l.name : typeof cfg.name === 'string' ? cfg.name : this.fail(`${what} layer ${i} (${l.class_name}) has no name`);
      return { class_name: l.class_name, name, config: cfg, inbound_nodes: Array.isArray(l.inbound_nodes) ? l.inbound_nodes : undefined };
    });
  }

  /** A graph input for an input layer (shape from `batch_input_shape` / `batch_shape`, null dims unknown). */
  addInput(name: string, config: Record<string, unknown>, shapeOwner: string): string {
    const shape = config.batch_input_shape ?? config.batch_shape ?? (Array.isArray(config.input_shape) ? [null, ...config.input_shape] : undefined);
    if (!Array.isArray(shape)) this.fail(`input '${shapeOwner}' has no batch_input_shape`);
    const dims: Dim[] = shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null));
    const dtype = typeof config.dtype === 'string' && isDType(config.dtype) ? config.dtype : 'float32';
    if (!this.graph.inputs.some((v) => v.name === name)) this.graph.inputs.push({ name, type: { kind: 'tensor', dtype, shape: dims } });
    return name;
  }

  /** Adds the node of one layer call, writing `outputs`. */
  addNode(layer: LayerSpec, nodeName: string, inputs: string[], outputs: string[], kwargs: Record<string, unknown>): void {
    const taken = outputs.find((o) => this.produced.has(o) || this.graph.inputs.some((v) => v.name === o));
    if (taken) this.fail(`two layers are named '${layer.name}' (a nested model's layer and another layer, or an input): the model's values cannot be told apart`);
    outputs.forEach((o) => this.produced.add(o));
    let w = this.weighted.get(layer.name);
    if (!w) {
      w = this.index.lookup(layer.name, layer.class_name, layer.config);
      for (const n of w.names) this.graph.initializers.set(n, this.weights.get(n)!);
      this.weighted.set(layer.name, w);
    }
    const attributes: NodeAttributes = new Map([
      ['config', { type: 'string', value: new TextEncoder().encode(JSON.stringify(layer.config)) }],
      ['weight_names', { type: 'strings', value: w.roles.map((r) => new TextEncoder().encode(r)) }],
      ['data_inputs', { type: 'int', value: inputs.length }],
    ]);
    if (Object.keys(kwargs).length) attributes.set('call_kwargs', { type: 'string', value: new TextEncoder().encode(JSON.stringify(kwargs)) });
    this.graph.nodes.push({ op: layer.class_name, domain: KERAS_DOMAIN, name: nodeName, inputs: [...inputs, ...w.names], outputs, attributes });
  }

  /** A model config (Functional or Sequential) inlined with `prefix` on its value names; `bound` feeds its inputs. */
  model(spec: { class_name: string; config: unknown }, prefix: string, bound?: string[]): string[] {
    const config = spec.config;
    if (!isObject(config) && !Array.isArray(config)) this.fail(`model '${prefix || 'top'}' (${spec.class_name}) has no config`);
    return spec.class_name === 'Sequential' ? this.sequential(config, prefix, bound) : this.functional(config as Record<string, unknown>, prefix, bound);
  }

  /** Sequential: layers chained; the input comes from an InputLayer or from the first layer's batch_input_shape. */
  private sequential(config: Record<string, unknown> | unknown[], prefix: string, bound?: string[]): string[] {
    const layers = this.layersOf(config, 'Sequential model');
    if (!layers.length) this.fail('a Sequential model has no layers');
    let first = 0;
    let x: string;
    if (bound) {
      if (bound.length !== 1) this.fail(`Sequential model '${prefix}' is called on ${bound.length} inputs`);
      x = bound[0];
      if (layers[0].class_name === 'InputLayer') first = 1;
    } else if (layers[0].class_name === 'InputLayer') {
      x = this.addInput(prefix + layers[0].name, layers[0].config, layers[0].name);
      first = 1;
    } else {
      // Keras 3 keeps a Sequential's input shape as the model's `build_input_shape` when no layer declares it.
      const declared = !Array.isArray(config) && config.build_input_shape && !layers[0].config.batch_input_shape ? { ...layers[0].config, batch_input_shape: config.build_input_shape } : layers[0].config;
      x = this.addInput(`${prefix}${layers[0].name}_input`, declared, layers[0].name);
    }
    for (const layer of layers.slice(first)) {
      if (MODEL_CLASSES.has(layer.class_name)) {
        const outs = this.model(layer, prefix, [x]);
        if (outs.length !== 1) this.fail(`model '${layer.name}' inside a Sequential model has ${outs.length} outputs`);
        x = outs[0];
        continue;
      }
      const out = prefix + layer.name;
      this.addNode(layer, out, [x], [out], {});
      x = out;
    }
    return [x];
  }

  /** The calls of a functional layer: Keras 2 lists `[[name, node, tensor, kwargs], …]` or Keras 3 `{args, kwargs}`. */
  private calls(layer: LayerSpec): Call[] {
    return (layer.inbound_nodes ?? []).map((entry, k) => {
      if (Array.isArray(entry)) {
        const inputs = entry.map((r) => {
          if (!Array.isArray(r) || typeof r[0] !== 'string') this.fail(`layer '${layer.name}' inbound node ${k} holds ${JSON.stringify(r).slice(0, 80)}, not [layer, node, tensor]`);
          return { layer: r[0], node: Number(r[1] ?? 0), tensor: Number(r[2] ?? 0) };
        });
        const last = entry[entry.length - 1];
        return { inputs, kwargs: Array.isArray(last) && isObject(last[3]) ? last[3] : {} };
      }
      if (isObject(entry)) {
        const inputs: TensorRef[] = [];
        const walk = (x: unknown): void => {
          if (Array.isArray(x)) x.forEach(walk);
          else if (isObject(x)) {
            const history = isObject(x.config) ? x.config.keras_history : undefined;
            if (x.class_name === '__keras_tensor__' && Array.isArray(history)) inputs.push({ layer: String(history[0]), node: Number(history[1] ?? 0), tensor: Number(history[2] ?? 0) });
          }
        };
        walk(entry.args);
        return { inputs, kwargs: isObject(entry.kwargs) ? entry.kwargs : {} };
      }
      return this.fail(`layer '${layer.name}' has an inbound node that is neither a list nor {args, kwargs}`);
    });
  }

  /** Functional: every call of every layer, emitted depth first from the outputs; input layers become graph inputs. */
  private functional(config: Record<string, unknown>, prefix: string, bound?: string[]): string[] {
    const layers = this.layersOf(config, `model '${String(config.name ?? prefix)}'`);
    const byName = new Map(layers.map((l) => [l.name, l]));
    const refsOf = (key: string): TensorRef[] => {
      const list = config[key];
      if (!Array.isArray(list)) this.fail(`model '${String(config.name ?? prefix)}' has no ${key}`);
      // A single-input model may store one [name, node, tensor] instead of a list of them.
      const refs = list.length && typeof list[0] === 'string' ? [list] : list;
      return refs.map((r) => (Array.isArray(r) ? { layer: String(r[0]), node: Number(r[1] ?? 0), tensor: Number(r[2] ?? 0) } : this.fail(`${key} holds ${JSON.stringify(r)}`)));
    };
    const inputLayers = refsOf('input_layers').map((r) => r.layer);
    if (bound && bound.length !== inputLayers.length) this.fail(`model '${String(config.name)}' takes ${inputLayers.length} inputs but is called on ${bound.length}`);
    const calls = new Map(layers.map((l) => [l.name, this.calls(l)]));
    // Outputs per call: up to the highest tensor index anything reads.
    const width = new Map<string, number>();
    const note = (r: TensorRef) => width.set(`${r.layer}#${r.node}`, Math.max(width.get(`${r.layer}#${r.node}`) ?? 1, r.tensor + 1));
    for (const cs of calls.values()) for (const c of cs) c.inputs.forEach(note);
    const outputRefs = refsOf('output_layers');
    outputRefs.forEach(note);
    const done = new Map<string, string[]>();
    const active = new Set<string>();
    const value = (r: TensorRef): string => {
      const layer = byName.get(r.layer) ?? this.fail(`model '${String(config.name ?? prefix)}' refers to a layer '${r.layer}' it does not hold`);
      if (layer.class_name === 'InputLayer') {
        const i = inputLayers.indexOf(layer.name);
        return bound && i >= 0 ? bound[i] : this.addInput(prefix + layer.name, layer.config, layer.name);
      }
      const key = `${layer.name}#${r.node}`;
      let outs = done.get(key);
      if (!outs) {
        const nested = MODEL_CLASSES.has(layer.class_name);
        const index = r.node - firstNode(layer);
        const call = calls.get(layer.name)![index] ?? this.fail(`layer '${layer.name}' has no call ${r.node}`);
        if (active.has(key)) this.fail(`layer '${layer.name}' call ${r.node} depends on itself`);
        active.add(key);
        const inputs = call.inputs.map(value);
        active.delete(key);
        if (nested) outs = this.model(layer, index === 0 ? prefix : `${prefix}${layer.name}_${index}/`, inputs);
        else {
          outs = Array.from({ length: width.get(key) ?? 1 }, (_, t) => valueName(prefix + layer.name, r.node, t));
          this.addNode(layer, r.node === 0 ? prefix + layer.name : `${prefix}${layer.name}_${r.node}`, inputs, outs, call.kwargs);
        }
        done.set(key, outs);
      }
      return outs[r.tensor] ?? this.fail(`layer '${layer.name}' call ${r.node} has no output ${r.tensor}`);
    };
    for (const name of inputLayers) value({ layer: name, node: 0, tensor: 0 });
    const outputs = outputRefs.map(value);
    // Calls no output depends on are still part of the model (Keras keeps them); emit them too.
    for (const [name, cs] of calls) cs.forEach((_, k) => value({ layer: name, node: k + firstNode(byName.get(name)!), tensor: 0 }));
    return outputs;
  }
}

/** The Keras model config of a layers model.json: `modelTopology.model_config`, or the topology itself. */
function modelConfig(json: TfjsModelJson, file: string): { class_name: string; config: unknown } {
  let topo: unknown = json.modelTopology.model_config ?? json.modelTopology;
  if (typeof topo === 'string') {
    try {
      topo = JSON.parse(topo);
    } catch {
      throw new FormatError('tfjs', 'modelTopology.model_config is a string that is not JSON', { file });
    }
  }
  if (!isObject(topo) || typeof topo.class_name !== 'string') throw new FormatError('tfjs', 'the layers model has no model_config {class_name, config}', { file });
  if (!MODEL_CLASSES.has(topo.class_name)) throw new FormatError('tfjs', `the layers model's class '${topo.class_name}' is not Sequential, Functional or Model`, { file });
  return { class_name: topo.class_name, config: topo.config };
}

/**
 * Reads a layers model: one `ai.keras` node per layer call (op = class name, name = layer name, `name_k` for call k > 0),
 * inputs = data inputs then the layer's weights (initializers named as in the manifest), attributes `config` (JSON),
 * `weight_names` (roles) and `data_inputs`. Output t of call k of layer L is the value `L` (k = t = 0) or `L:k:t`.
 * Nested models are inlined (later calls prefixed `L_k/`); as Keras numbers them, their calls are nodes 1, 2, … (node 0 is their own).
 */
export function layersModelToIR(json: TfjsModelJson, weights: Map<string, Tensor>, file: string): Model {
  const reader = new LayersReader(weights, file);
  const spec = modelConfig(json, file);
  const outputs = reader.model(spec, '');
  const graph = reader.graph;
  const seen = new Set<string>();
  for (const name of outputs) {
    if (seen.has(name)) continue;
    seen.add(name);
    graph.outputs.push({ name, type: { kind: 'tensor', dtype: 'float32' } });
  }
  if (isObject(spec.config) && typeof spec.config.name === 'string') graph.name = spec.config.name;
  const keras = json.modelTopology.keras_version;
  return {
    graph,
    opsets: [{ domain: KERAS_DOMAIN, version: 1 }],
    irVersion: 8,
    producerName: String(json.convertedBy ?? json.generatedBy ?? 'keras'),
    ...(typeof keras === 'string' ? { producerVersion: `keras ${keras}` } : {}),
    metadata: [],
    functions: [],
  };
}
