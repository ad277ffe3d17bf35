// runPasses: runs in order, reports per-pass node deltas, and names the pass that breaks the graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { GraphError, UsageError } from '../../src/errors.ts';
import { runPasses, type PassStats } from '../../src/passes/pipeline.ts';
import { DEFAULT_PASSES, parsePassList, passByName, PASSES } from '../../src/passes/index.ts';
import type { Pass } from '../../src/passes/pass.ts';
import { seededFloats } from './helpers.ts';

function build() {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 2, 4, 4]);
  const i = b.op('Identity', [x]);
  const c = b.op('Conv', [i, b.initializer('w', 'float32', [3, 2, 1, 1], seededFloats(6, 1))], {}, { name: 'conv' });
  const n = b.initializer('n', 'float32', [3], seededFloats(3, 2));
  const v = b.initializer('v', 'float32', [3], seededFloats(3, 3).map((q) => q + 2));
  const bn = b.op('BatchNormalization', [c, n, n, n, v]);
  b.op('Relu', [bn], {}, { output: 'y' });
  b.output('y');
  return b.build();
}

test('runs the default passes in order and reports what each changed', async () => {
  const seen: [string, PassStats][] = [];
  const logs: string[] = [];
  const { model, stats } = await runPasses(build(), DEFAULT_PASSES, { verify: true, onPass: (name, s) => seen.push([name, s]), log: (m) => logs.push(m) });
  assert.deepEqual(seen.map(([n]) => n), DEFAULT_PASSES.map((p) => p.name));
  assert.deepEqual(stats, seen.map(([, s]) => s));
  const by = Object.fromEntries(stats.map((s) => [s.name, s]));
  assert.deepEqual(by['eliminate-identity'].opDelta, { Identity: -1 });
  assert.deepEqual(by['fold-batchnorm'].opDelta, { BatchNormalization: -1 });
  assert.ok(stats.every((s, k) => k === 0 || s.nodesBefore === stats[k - 1].nodesAfter));
  assert.deepEqual(model.graph.nodes.map((x) => x.op), ['Conv', 'Relu']);
  assert.ok(logs.some((l) => l.startsWith('fold-batchnorm:')));
});

test('verification names the pass and node that broke the graph', async () => {
  const breaker: Pass = {
    name: 'break-conv',
    description: 'test pass that points Conv at a missing value',
    run(model) {
      model.graph.nodes.find((x) => x.op === 'Conv')!.inputs[1] = 'missing_weight';
      return model;
    },
  };
  const passes = [passByName('eliminate-identity'), breaker, passByName('dead-code')];
  await assert.rejects(runPasses(build(), passes, { verify: true }), (e: unknown) => {
    assert.ok(e instanceof GraphError);
    assert.equal(e.node, 'conv');
    assert.match(e.message, /missing_weight.*pass 'break-conv'/);
    return true;
  });
  // Without verification the broken graph goes through unnoticed.
  await runPasses(build(), passes, { verify: false });
});

test('pass registry: names, lists, unknown names', () => {
  assert.ok(PASSES.size >= 7);
  for (const [name, p] of PASSES) assert.equal(p.name, name);
  assert.deepEqual(parsePassList('dead-code, default').map((p) => p.name), ['dead-code', ...DEFAULT_PASSES.map((p) => p.name)]);
  assert.throws(() => passByName('fold-everything'), (e: unknown) => e instanceof UsageError && /known: .*fold-batchnorm/.test(e.message));
});
