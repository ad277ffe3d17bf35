// fold-if: given input values fix an If condition and the taken branch is inlined (outer reads, nesting), results unchanged.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { UsageError } from '../../src/errors.ts';
import { encodeOnnx } from '../../src/formats/onnx/index.ts';
import { readModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { makeTensor } from '../../src/ir/tensor.ts';
import { dynamicIfReason, foldIf } from '../../src/passes/index.ts';
import { ortEvaluator } from '../../src/runtimes/ort-node-evaluator.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { cloneModel, maxAbsDiff, opCount, seededFloats } from './helpers.ts';

const FIXTURES = join(PACKAGE_ROOT, 'test/fixtures/torch');

/** Runs a model in onnxruntime-node from memory (ORT's own optimisations off); feeds may be bool. */
async function run(model: Model, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(encodeOnnx(model), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  try {
    const known = new Set(s.inputNames);
    const out = await s.run(Object.fromEntries(Object.entries(feeds).filter(([k]) => known.has(k))));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await s.release();
  }
}

const x = new ort.Tensor('float32', seededFloats(28 * 28, 3), [1, 28, 28]);

for (const flag of [true, false]) {
  test(`if.onnx with flag=${flag}: the ${flag ? 'then (LSTM)' : 'else (GRU)'} branch is inlined, flag is no longer an input, logits unchanged`, async () => {
    const original = await readModel(join(FIXTURES, 'if.onnx'));
    const folded = cloneModel(original);
    const stats = await foldIf(folded, { inputValues: new Map([['flag', makeTensor('flag', 'bool', [], Uint8Array.of(flag ? 1 : 0))]]), evaluate: ortEvaluator });
    assert.deepEqual(stats.substituted, ['flag']);
    assert.equal(stats.inlined, 1);
    assert.equal(opCount(folded, 'If'), 0);
    assert.equal(opCount(folded, flag ? 'LSTM' : 'GRU'), flag ? 1 : 2);
    assert.equal(opCount(folded, flag ? 'GRU' : 'LSTM'), 0);
    assert.deepEqual(folded.graph.inputs.map((v) => v.name), ['x']);
    const ref = await run(original, { x, flag: new ort.Tensor('bool', Uint8Array.of(flag ? 1 : 0), []) });
    const got = await run(folded, { x });
    assert.ok(maxAbsDiff(ref.logits, got.logits) <= 1e-6, `max abs ${maxAbsDiff(ref.logits, got.logits)}`);
  });
}

test('vad.onnx without values: the If stays and the reason names input sr and the option that folds it', async () => {
  const model = await readModel(join(FIXTURES, 'vad.onnx'));
  const stats = await foldIf(model, { evaluate: ortEvaluator });
  assert.equal(stats.inlined, 0);
  assert.equal(stats.dynamic.length, 1);
  assert.deepEqual(stats.dynamic[0].inputs, ['sr']);
  assert.equal(dynamicIfReason(stats.dynamic[0]), "If condition depends on input 'sr'; give --input-value sr=… to fold it");
  assert.equal(opCount(model, 'If'), 1);
});

test('an If with a constant condition folds without values, nested Ifs too; branch values read the outer scope', async () => {
  const b = new ModelBuilder({ opset: 13 });
  const input = b.input('x', 'float32', [2, 3]);
  const scale = b.initializer('scale', 'float32', [], Float32Array.of(3));
  const yes = b.constant('yes', 'bool', [], Uint8Array.of(1));
  const no = b.constant('no', 'bool', [], Uint8Array.of(0));
  const outer = b.op('Add', [input, scale]);
  const then = b.subgraph('then');
  const t1 = then.op('Relu', [outer]);
  const inner = b.subgraph('inner_then');
  inner.output(inner.op('Mul', [outer, scale]), 'float32');
  const innerElse = b.subgraph('inner_else');
  innerElse.output(innerElse.op('Sub', [t1, input]), 'float32');
  const nested = then.op('If', [no], { then_branch: inner.graph(), else_branch: innerElse.graph() });
  then.output(then.op('Add', [t1, nested]), 'float32');
  const other = b.subgraph('else');
  other.output(other.op('Neg', [input]), 'float32');
  b.op('If', [yes], { then_branch: then.graph(), else_branch: other.graph() }, { output: 'y' });
  b.output('y', 'float32');
  const model = b.build();
  const feeds = { x: new ort.Tensor('float32', seededFloats(6, 9), [2, 3]) };
  const ref = await run(model, feeds);
  const stats = await foldIf(model);
  assert.equal(stats.inlined, 2);
  assert.equal(opCount(model, 'If'), 0);
  assert.equal(opCount(model, 'Neg'), 0);
  assert.equal(opCount(model, 'Mul'), 0);
  assert.equal(opCount(model, 'Sub'), 1);
  const got = await run(model, feeds);
  assert.ok(maxAbsDiff(ref.y, got.y) <= 1e-6, `max abs ${maxAbsDiff(ref.y, got.y)}`);
});

test('a value of the wrong dtype or for no input is a UsageError naming the input', async () => {
  const model = await readModel(join(FIXTURES, 'vad.onnx'));
  await assert.rejects(foldIf(model, { inputValues: new Map([['sr', makeTensor('sr', 'float32', [], Float32Array.of(16000))]]) }), (e: unknown) => e instanceof UsageError && /input 'sr' is int64/.test(e.message));
  await assert.rejects(foldIf(model, { inputValues: new Map([['rate', makeTensor('rate', 'int64', [], BigInt64Array.of(1n))]]) }), (e: unknown) => e instanceof UsageError && /'rate', which is not a model input/.test(e.message));
});
