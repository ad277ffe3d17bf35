// Empirical bias correction: each layer's bias shifted by the mean output shift quantization leaves in it, measured on calibration data.
import type { DataSource } from '../../data/source.ts';
import { attrFloat, attrInt, type Model, type Node } from '../../ir/graph.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import { makeTensor, tensorFloats } from '../../ir/tensor.ts';
import { constantOf, nameAllocator } from '../../passes/graph-edit.ts';
import type { Progress } from '../../util/progress.ts';
import { observeValues } from '../calibrate/observe.ts';

/** What bias correction did to one layer. */
export interface CorrectedBias {
  node: string;
  /** Mean over channels of |output mean shift against the float model| before the correction and after, in output units. */
  before: number;
  after: number;
}

/** Options of {@link correctBiases}. */
export interface BiasCorrectionOptions {
  limit: number;
  batchSize?: number;
  progress?: Progress;
  /** Measure → correct rounds (default 2): a correction upstream moves the means downstream. */
  rounds?: number;
}

/** The layers bias correction handles: Conv (bias input added if absent) and Gemm with a constant float weight. */
function correctable(model: Model, node: Node): boolean {
  if (node.domain !== '' || (node.op !== 'Conv' && node.op !== 'Gemm')) return false;
  const w = constantOf(model.graph, node.inputs[1]);
  if (!w || w.dtype !== 'float32') return false;
  if (node.op === 'Gemm' && attrFloat(node, 'beta', 1) === 0) return false;
  if (!node.inputs[2]) return true;
  const b = constantOf(model.graph, node.inputs[2]);
  // A bias of one value per output channel (a Gemm's broadcast scalar or [1, N] C is left alone).
  return b?.dtype === 'float32' && b.dims.length === 1 && b.dims[0] === outputChannels(model, node);
}

/** Output channels of a layer: Conv's weight dim 0, Gemm's N. */
function outputChannels(model: Model, node: Node): number {
  const w = constantOf(model.graph, node.inputs[1])!;
  if (node.op === 'Conv') return w.dims[0];
  const transB = attrInt(node, 'transB', 0) === 1;
  return transB ? w.dims[0] : w.dims[1];
}

/** Per-channel sums of channel axis 1 (Conv NCHW…, Gemm [M, N]) over every other axis, and the count per channel. */
function accumulate(t: HostTensor, sums: Float64Array, counts: Float64Array): void {
  const data = t.data as Float32Array;
  const c = t.dims[1] ?? 1;
  if (c !== sums.length) return;
  const inner = t.dims.slice(2).reduce((a, b) => a * b, 1);
  const outer = t.dims[0];
  for (let n = 0; n < outer; n++) {
    for (let k = 0; k < c; k++) {
      let s = 0;
      const base = (n * c + k) * inner;
      for (let i = 0; i < inner; i++) s += data[base + i];
      sums[k] += s;
      counts[k] += inner;
    }
  }
}

/** Mean of |x| over a list. */
function meanAbs(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.abs(xs[i]);
  return xs.length ? s / xs.length : 0;
}

/**
 * Adds to the quantized copy `q`, beside each target layer, the same layer with the float weights and bias of `float`
 * reading the same (quantized) input: what the layer would output if only its own weights and bias were exact.
 * Returns target node name → [quantized layer output, shadow output].
 */
function addShadows(q: Model, float: Model, targets: ReadonlyMap<string, number>): Map<string, [string, string]> {
  const fresh = nameAllocator(q.graph);
  const floatNodes = new Map(float.graph.nodes.map((n) => [n.name, n]));
  const out = new Map<string, [string, string]>();
  for (const node of [...q.graph.nodes]) {
    const original = targets.has(node.name) ? floatNodes.get(node.name) : undefined;
    if (!original || !node.outputs[0]) continue;
    const inputs = [node.inputs[0]];
    for (const slot of [1, 2]) {
      const t = original.inputs[slot] ? constantOf(float.graph, original.inputs[slot]) : undefined;
      if (!t) continue;
      const name = fresh(`${original.inputs[slot]}_float`);
      q.graph.initializers.set(name, makeTensor(name, t.dtype, [...t.dims], tensorFloats(t)));
      inputs[slot] = name;
    }
    const shadow = fresh(`${node.outputs[0]}_float_weights`);
    q.graph.nodes.push({ op: node.op, domain: node.domain, name: fresh(`${node.name}_float_weights`), inputs: inputs.map((i) => i ?? ''), outputs: [shadow], attributes: new Map(original.attributes) });
    out.set(node.name, [node.outputs[0], shadow]);
  }
  return out;
}

/** Per-channel mean of each named value of `model` over the data. */
async function valueMeans(model: Model, values: ReadonlyMap<string, number>, source: DataSource, runtime: string, options: BiasCorrectionOptions, label: string): Promise<Map<string, Float64Array>> {
  const acc = new Map([...values].map(([v, c]) => [v, { sums: new Float64Array(c), counts: new Float64Array(c) }]));
  await observeValues(model, source, [...values.keys()], (name, t) => {
    if (t.data instanceof Float32Array && t.data.length) { const a = acc.get(name)!; accumulate(t, a.sums, a.counts); }
  }, { limit: options.limit, runtime, ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.progress ? { progress: options.progress } : {}), label });
  return new Map([...acc].map(([v, a]) => [v, a.sums.map((s, k) => (a.counts[k] ? s / a.counts[k] : 0))]));
}

/**
 * Shifts the float biases of `model`'s Conv/Gemm layers (in place; a Conv without bias gets one) so that, in the model
 * `quantize(model)` makes, each layer's own quantization (its integer weights and bias) no longer moves its mean output
 * per channel: the shift is measured on the calibration data as the quantized layer's mean output minus that of the
 * same layer with float weights reading the same quantized input. Measuring each layer's own part, not the total
 * shift against the float model, lets every layer be corrected at once without correcting twice what an upstream
 * layer caused. The copy runs with exact Q/DQ semantics (`onnx-reference`): the correction does not depend on this
 * host's integer kernels. Returns the total shift against the float model before and after, and how to undo it all.
 */
export async function correctBiases(model: Model, layers: readonly string[], quantize: (float: Model) => Model, source: DataSource, options: BiasCorrectionOptions): Promise<{ layers: CorrectedBias[]; revert: () => void }> {
  const targets = new Map<string, number>();
  const byName = new Map(model.graph.nodes.map((n) => [n.name, n]));
  for (const name of layers) {
    const node = byName.get(name);
    if (node && correctable(model, node)) targets.set(name, outputChannels(model, node));
  }
  if (!targets.size) return { layers: [], revert: () => undefined };
  const originals = new Map([...targets.keys()].map((name) => [name, byName.get(name)!.inputs.slice()]));
  const floatOutputs = new Map([...targets].map(([name, c]) => [byName.get(name)!.outputs[0], c]));
  const reference = await valueMeans(model, floatOutputs, source, 'ort-node', options, 'bias correction: float means');
  const fresh = nameAllocator(model.graph);
  const ours = new Set<string>();
  const total = new Map<string, number[]>();
  const rounds = options.rounds ?? 2;
  for (let round = 0; round <= rounds; round++) {
    const q = quantize(model);
    const shadows = addShadows(q, model, targets);
    const values = new Map([...shadows].flatMap(([name, vs]) => vs.map((v) => [v, targets.get(name)!] as [string, number])));
    const measured = await valueMeans(q, values, source, 'onnx-reference', options, round < rounds ? `bias correction (round ${round + 1} of ${rounds})` : 'bias correction: checking');
    for (const [name, [out, shadow]] of shadows) {
      const node = byName.get(name)!;
      const got = measured.get(out)!, own = measured.get(shadow)!, ref = reference.get(node.outputs[0])!;
      total.set(name, [...(total.get(name) ?? []), meanAbs(got.map((g, k) => g - ref[k]))]);
      if (round === rounds) continue;
      const channels = targets.get(name)!;
      // got − own is this layer's own shift with its current bias: subtract it from the original bias, not the current
      // one (which would apply the correction again each round). Gemm adds beta·C.
      const original = originals.get(name)![2];
      const old = original ? tensorFloats(constantOf(model.graph, original)!) : new Float32Array(channels);
      const beta = node.op === 'Gemm' ? attrFloat(node, 'beta', 1) : 1;
      // A new tensor the first time, not an edit in place: the original bias may be shared with another layer.
      const corrected = ours.has(node.inputs[2]) ? node.inputs[2] : fresh(`${node.inputs[2] || name + '_bias'}_corrected`);
      ours.add(corrected);
      model.graph.initializers.set(corrected, makeTensor(corrected, 'float32', [channels], Float32Array.from(old, (b, k) => b - (got[k] - own[k]) / beta)));
      node.inputs[2] = corrected;
    }
  }
  return {
    layers: [...total].map(([node, shifts]) => ({ node, before: shifts[0], after: shifts[shifts.length - 1] })),
    revert: () => {
      for (const [name, inputs] of originals) byName.get(name)!.inputs = inputs;
      for (const name of ours) model.graph.initializers.delete(name);
    },
  };
}
