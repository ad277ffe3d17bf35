// Per-layer error analysis: capture matching intermediates of a float and a quantized model, SQNR per layer, worst first.
import type { DataSource } from '../data/source.ts';
import { OndeviceError } from '../errors.ts';
import { readModel } from '../formats/registry.ts';
import type { Graph, Model, Node } from '../ir/graph.ts';
import { toposort } from '../ir/toposort.ts';
import { exposeValues, valueTypes } from '../ir/expose.ts';
import { writeTempModel, type TempModel } from '../formats/temp-model.ts';
import { silentProgress, type Progress } from '../util/progress.ts';
import { onnxReferenceRuntime } from '../runtimes/onnx-reference.ts';
import { acceptAnyBatch } from '../runtimes/any-batch.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import type { RuntimeSession } from '../runtimes/runtime.ts';
import { asNumbers } from './compare.ts';
import { checkFinite, FidelityAccumulator } from './metrics.ts';

/** The error one layer (a compute node of the quantized model) leaves in its output. */
export interface LayerError {
  /** Node name in the quantized model (what `quantize --exclude` takes). */
  node: string;
  op: string;
  /** The float model's value compared with this layer's (dequantized) output. */
  value: string;
  /** SQNR of the layer's output against the float model's, in dB (Infinity when identical). */
  sqnr: number;
  /** Lowest SQNR among the layer's non-constant inputs (Infinity when they are exact or unmatched). */
  inputSqnr: number;
  /** inputSqnr − sqnr in dB: how much this layer worsens the signal. */
  drop: number;
  /**
   * Noise this layer adds, as a fraction of its output's power: 10^(−sqnr/10) − 10^(−inputSqnr/10), floored at 0.
   * The ranking key: unlike a dB drop it stays meaningful when the input is exact (Infinity dB).
   */
  addedNoise: number;
}

/** Per-layer analysis of one quantized model. */
export interface LayerAnalysis {
  examples: number;
  /** In topological order of the quantized model. */
  layers: LayerError[];
  /** The same layers, the ones that add the most noise first. */
  ranking: LayerError[];
}

/** Options for {@link analyzeLayers}. */
export interface LayerAnalysisOptions {
  /** Examples to run (default 100). */
  limit?: number;
  batchSize?: number;
  /**
   * Runtime for both models. Default: the float model on the first ONNX runtime, the quantized one on
   * `onnx-reference` (exact Q/DQ semantics), so the analysis describes the model, not this host's int8 kernels.
   */
  runtime?: string;
  progress?: Progress;
}

const QDQ_OPS = new Set(['QuantizeLinear', 'DequantizeLinear']);

/** How each quantized-model value maps to a float-model value, and which layers to report. */
interface Mapping {
  /** Quantized-model value → float-model value, for every value we capture. */
  pairs: Map<string, string>;
  layers: { node: Node; observed: string; inputs: string[] }[];
}

/**
 * Maps the quantized graph onto the float one by value name: a value keeps its float name, or is the output of a
 * DequantizeLinear fed by QuantizeLinear(name). A layer's observed output is what its consumers see: the output
 * itself, or the DequantizeLinear(QuantizeLinear(output)) after it.
 */
export function mapLayers(float: Graph, quant: Graph): Mapping {
  const floatValues = new Set([...float.inputs.map((v) => v.name), ...float.nodes.flatMap((n) => n.outputs)]);
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const n of quant.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) {
      if (!i) continue;
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  const order = toposort(quant);
  // Constant values, decided once per node in topological order (linear time): initializers, Constant nodes, Q/DQ of a
  // constant, and nodes of constants only (e.g. the quantizer's Mul computing a bias scale).
  const constants = new Set<string>(quant.initializers.keys());
  for (const n of order) {
    const constant = n.op === 'Constant'
      || (QDQ_OPS.has(n.op) ? constants.has(n.inputs[0]) : n.inputs.length > 0 && n.inputs.every((i) => !i || constants.has(i)));
    if (constant) for (const o of n.outputs) constants.add(o);
  }
  const isConstant = (v: string): boolean => constants.has(v);
  const floatNameOf = (v: string, depth = 0): string | undefined => {
    if (floatValues.has(v) && !float.initializers.has(v)) return v;
    const p = producer.get(v);
    // An integer tensor (a QuantizeLinear output read directly, e.g. by a MaxPool run on quantized values) has no float twin.
    if (depth === 0 && p?.op === 'QuantizeLinear') return undefined;
    if (depth < 4 && p && QDQ_OPS.has(p.op)) return floatNameOf(p.inputs[0], depth + 1);
    return undefined;
  };
  const observedOf = (v: string): string => {
    const direct = consumers.get(v)?.find((n) => n.op === 'DequantizeLinear');
    if (direct) return direct.outputs[0];
    const q = consumers.get(v)?.find((n) => n.op === 'QuantizeLinear');
    const d = q && consumers.get(q.outputs[0])?.find((n) => n.op === 'DequantizeLinear');
    return d ? d.outputs[0] : v;
  };
  const pairs = new Map<string, string>();
  const layers: Mapping['layers'] = [];
  for (const node of order) {
    if (QDQ_OPS.has(node.op) || node.op === 'Constant' || node.outputs.length === 0 || isConstant(node.outputs[0])) continue;
    const observed = observedOf(node.outputs[0]);
    const floatName = floatNameOf(observed) ?? floatNameOf(node.outputs[0]);
    if (!floatName) continue;
    pairs.set(observed, floatName);
    const inputs: string[] = [];
    for (const i of node.inputs) {
      if (!i || isConstant(i)) continue;
      const f = floatNameOf(i);
      if (f) {
        pairs.set(i, f);
        inputs.push(i);
      }
    }
    layers.push({ node, observed, inputs });
  }
  return { pairs, layers };
}

/**
 * Runs `float` and `quantized` (models or file paths) on the same inputs, captures each quantized layer's output
 * and its float counterpart, and reports SQNR per layer in topological order plus a worst-first ranking.
 * @throws OndeviceError when no layer can be matched, or a captured value holds NaN/Inf.
 */
export async function analyzeLayers(float: Model | string, quantized: Model | string, source: DataSource, options: LayerAnalysisOptions = {}): Promise<LayerAnalysis> {
  const floatModel = typeof float === 'string' ? await readModel(float) : float;
  const quantModel = typeof quantized === 'string' ? await readModel(quantized) : quantized;
  const quantLabel = typeof quantized === 'string' ? quantized : 'quantized model';
  const { pairs, layers } = mapLayers(floatModel.graph, quantModel.graph);
  if (layers.length === 0) throw new OndeviceError('no layer of the quantized model matches a value of the float model by name', { file: quantLabel });
  const floatFetch = unique([...pairs.values()]), quantFetch = unique([...pairs.keys()]);
  const temps: TempModel[] = [];
  const sessions: RuntimeSession[] = [];
  const progress = options.progress ?? silentProgress;
  try {
    const floatRuntime = await resolveRuntime({ name: options.runtime, format: 'onnx' });
    const quantRuntime = options.runtime ? floatRuntime : onnxReferenceRuntime;
    for (const [model, fetch, runtime] of [[floatModel, floatFetch, floatRuntime], [quantModel, quantFetch, quantRuntime]] as const) {
      const produced = new Set(model.graph.nodes.flatMap((n) => n.outputs));
      const temp = await writeTempModel(exposeValues(model, fetch.filter((v) => produced.has(v)), valueTypes(model)), 'per-layer.onnx');
      temps.push(temp);
      // A model with a fixed batch dim (e.g. a .tflite lifted at batch 1) still takes the data's batches.
      sessions.push(acceptAnyBatch(await runtime.load(temp.path)));
    }
    const [floatSession, quantSession] = sessions;
    const accs = new Map<string, FidelityAccumulator>([...pairs.keys()].map((k) => [k, new FidelityAccumulator()]));
    const limit = options.limit ?? 100;
    progress.start(Math.min(limit, source.count ?? limit), 'per-layer capture');
    let examples = 0;
    try {
      for await (const batch of source.batches(options.batchSize ?? 50, limit)) {
        const feeds = Object.fromEntries(floatSession.inputs.map((i) => [i.name, batch.inputs[i.name]]));
        const fOut = { ...feeds, ...(await floatSession.run(feeds, floatFetch.filter((v) => !(v in feeds)))) };
        const qOut = { ...feeds, ...(await quantSession.run(feeds, quantFetch.filter((v) => !(v in feeds)))) };
        for (const [q, f] of pairs) {
          const a = asNumbers(fOut[f]), b = asNumbers(qOut[q]);
          if (!a || !b || a.length !== b.length) continue;
          checkFinite(b, quantLabel, q);
          accs.get(q)!.add(a, b);
        }
        examples += batch.inputs[floatSession.inputs[0].name]?.dims[0] ?? 0;
        progress.update(examples);
      }
    } finally {
      progress.stop();
    }
    const sqnrOf = (v: string): number => accs.get(v)?.result().sqnr ?? Infinity;
    const result: LayerError[] = layers.map(({ node, observed, inputs }) => {
      const sqnr = sqnrOf(observed);
      const inputSqnr = Math.min(Infinity, ...inputs.map(sqnrOf));
      const drop = inputSqnr === Infinity && sqnr === Infinity ? 0 : inputSqnr - sqnr;
      const addedNoise = Math.max(0, noiseRatio(sqnr) - noiseRatio(inputSqnr));
      return { node: node.name, op: node.op, value: pairs.get(observed)!, sqnr, inputSqnr, drop, addedNoise };
    });
    const ranking = [...result].sort((a, b) => b.addedNoise - a.addedNoise || b.drop - a.drop);
    return { examples, layers: result, ranking };
  } finally {
    for (const s of sessions) await s.release();
    for (const t of temps) t.dispose();
  }
}

/** 10^(−sqnr/10): noise power over signal power (0 for Infinity dB). */
function noiseRatio(sqnr: number): number {
  return sqnr === Infinity ? 0 : 10 ** (-sqnr / 10);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
