// Per-layer analysis on a deliberately damaged w8a8 LeNet-5: the layer whose weight scale is forced wrong ranks first.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { proposeExclusions } from '../../src/pipeline/exclusions.ts';
import { analyzeLayers, mapLayers } from '../../src/evaluate/per-layer.ts';
import { readModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { LENET, mapInitializer, mnistFor } from './helpers.ts';

let quantized: Model;

before(async () => {
  const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', calibration: { source: await mnistFor('train'), limit: 100 } });
  quantized = model;
});

/** A deep-enough copy to damage one scale without touching `quantized`. */
function copyOf(m: Model): Model {
  return { ...m, graph: { ...m.graph, initializers: new Map(m.graph.initializers) } };
}

/** Multiplies the weight scale of the DequantizeLinear feeding `node`'s weight input by `factor`. */
function damage(m: Model, node: string, factor: number): Model {
  const copy = copyOf(m);
  const target = copy.graph.nodes.find((n) => n.name === node);
  assert.ok(target, `no node ${node}`);
  const dq = copy.graph.nodes.find((n) => n.op === 'DequantizeLinear' && n.outputs[0] === target.inputs[1]);
  assert.ok(dq, `${node}'s weight is not dequantized`);
  mapInitializer(copy, dq.inputs[1], (s) => s.map((x) => x * factor));
  return copy;
}

test('mapLayers matches every compute layer of the QDQ model to a float value', async () => {
  const float = await readModel(LENET);
  const { layers, pairs } = mapLayers(float.graph, quantized.graph);
  const floatValues = new Set([...float.graph.inputs.map((v) => v.name), ...float.graph.nodes.flatMap((n) => n.outputs)]);
  // Compute layers: not Q/DQ, not a node of constants only (the quantizer's bias-scale Mul), and with an output one can
  // compare (a float value, or one dequantized directly; a MaxPool→Flatten chain on integers is observed at its end).
  const dequantized = new Set(quantized.graph.nodes.filter((n) => n.op === 'DequantizeLinear').map((n) => n.inputs[0]));
  const compute = quantized.graph.nodes.filter((n) => n.op !== 'QuantizeLinear' && n.op !== 'DequantizeLinear'
    && !n.inputs.every((i) => quantized.graph.initializers.has(i)) && (floatValues.has(n.outputs[0]) || dequantized.has(n.outputs[0])));
  assert.equal(layers.length, compute.length);
  for (const f of pairs.values()) assert.ok(floatValues.has(f), `${f} is not a float value`);
  // The first conv reads the quantized graph input, which maps back to the float input.
  const conv1 = layers.find((l) => l.node.op === 'Conv')!;
  assert.deepEqual(conv1.inputs.map((i) => pairs.get(i)), [float.graph.inputs[0].name]);
});

for (const victim of ['/conv2/Conv', '/fc1/Gemm']) {
  test(`a weight scale ×8 on ${victim} is named first`, async () => {
    const damaged = damage(quantized, victim, 8);
    const a = await analyzeLayers(LENET, damaged, await mnistFor(), { limit: 100 });
    assert.equal(a.examples, 100);
    assert.equal(a.ranking[0].node, victim, a.ranking.slice(0, 3).map((l) => `${l.node} ${l.sqnr.toFixed(1)} dB`).join(', '));
    const layer = a.layers.find((l) => l.node === victim)!;
    assert.ok(layer.drop > 20, `drop ${layer.drop}`);
    // Layers before the victim are untouched by the damage: they match the undamaged analysis exactly.
    const clean = await analyzeLayers(LENET, quantized, await mnistFor(), { limit: 100 });
    const at = a.layers.indexOf(layer);
    for (let i = 0; i < at; i++) assert.equal(a.layers[i].sqnr, clean.layers[i].sqnr, a.layers[i].node);
    assert.ok(clean.layers[at].sqnr > layer.sqnr + 20, `${clean.layers[at].sqnr} vs ${layer.sqnr}`);
  });
}

test('proposeExclusions re-quantizes with the worst layers kept float and measures each trial', async () => {
  const a = await analyzeLayers(LENET, quantized, await mnistFor(), { limit: 50 });
  const p = await proposeExclusions(LENET, a.ranking, {
    quantize: { scheme: 'w8a8', calibration: { source: await mnistFor('train'), limit: 100 } },
    data: await mnistFor(), limit: 300, maxLayers: 2,
  });
  assert.equal(p.trials.length, 3);
  assert.deepEqual(p.trials[0].exclude, []);
  assert.deepEqual(p.trials[2].exclude, a.ranking.filter((l) => l.addedNoise > 0).slice(0, 2).map((l) => l.node));
  assert.ok(p.trials.some((t) => t.exclude.join() === p.exclude.join()));
  for (const t of p.trials) assert.ok(t.top1! > 0.9, `top-1 ${t.top1}`);
  assert.ok(p.floatTop1! > 0.95);
  const chosen = p.trials.find((t) => t.exclude.join() === p.exclude.join())!;
  const best = Math.max(...p.trials.map((t) => t.top1!));
  assert.ok(chosen.top1! >= best - 0.001 - 1e-12);
  assert.ok(p.trials.every((t) => t.top1! < best - 0.001 || t.sizeBytes >= chosen.sizeBytes));
});

test('mapLayers is linear on a deep residual net: 60 blocks (2^60 paths to the input) map at once, every layer found', { timeout: 60_000 }, async () => {
  const { ModelBuilder } = await import('../../src/ir/builder.ts');
  const { randomSource } = await import('../../src/data/random.ts');
  const { seededFloats } = await import('../../src/util/random.ts');
  const build = () => {
    const b = new ModelBuilder({ opset: 13 });
    let seed = 1;
    const conv = (x: string) => b.op('Conv', [x, b.initializer('w', 'float32', [4, 4, 1, 1], seededFloats(16, seed++, -0.1, 0.1)),
      b.initializer('b', 'float32', [4], seededFloats(4, seed++, -0.05, 0.05))], { kernel_shape: [1, 1] });
    let x = b.input('input', 'float32', [null, 4, 4, 4]);
    for (let i = 0; i < 60; i++) x = b.op('Relu', [b.op('Add', [conv(x), x])]);
    b.op('GlobalAveragePool', [x], {}, { output: 'out' });
    b.output('out', 'float32', [null, 4, 1, 1]);
    return b.build();
  };
  const source = randomSource([{ name: 'input', dtype: 'float32', shape: [null, 4, 4, 4] }], { count: 4, seed: 2 });
  const { model: quant } = await quantizeModel(build(), { scheme: 'w8a8', calibration: { source, limit: 4 } });
  const float = build();
  // Each residual Add reads two values that both lead back to the input: a walk without memory visits 2^60 paths.
  const { layers } = mapLayers(float.graph, quant.graph);
  assert.equal(layers.filter((l) => l.node.op === 'Conv').length, 60);
  assert.equal(layers.filter((l) => l.node.op === 'Add').length, 60);
});
