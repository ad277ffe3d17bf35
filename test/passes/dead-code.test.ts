// dead-code: unreachable nodes, unused initializers and stale value info go; outputs stay identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { eliminateDeadCode } from '../../src/passes/dead-code.ts';
import { cloneModel, diffOutputs, seededFloats } from './helpers.ts';

test('removes dead branches, unused initializers and value info; keeps what outputs need', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [2, 4]);
  const w = b.initializer('w', 'float32', [4, 3], seededFloats(12, 3));
  b.initializer('unused', 'float32', [5], seededFloats(5, 4));
  const used = b.op('MatMul', [x, w]);
  const dead1 = b.op('Exp', [x]);
  const dead2 = b.op('Add', [dead1, b.initializer('only_dead', 'float32', [], new Float32Array([1]))]);
  b.valueInfo(dead2, 'float32', [2, 4]);
  const [top] = b.node('TopK', [used, b.initializer('k', 'int64', [1], new BigInt64Array([1n]))], {}, { outputs: 2 }); // indices output unused: node stays
  b.op('Relu', [top], {}, { output: 'y' });
  b.output('y');
  const model = b.build();
  const before = cloneModel(model);
  const stats = eliminateDeadCode(model.graph);
  assert.deepEqual(stats, { nodes: 2, initializers: 2, valueInfo: 1 });
  assert.deepEqual(model.graph.nodes.map((n) => n.op), ['MatMul', 'TopK', 'Relu']);
  assert.deepEqual([...model.graph.initializers.keys()].sort(), ['k', 'w']);
  assert.deepEqual(await diffOutputs(before, model, { x: { dims: [2, 4], data: seededFloats(8, 5) } }), { y: 0 });
});

test('keeps values read only from inside a subgraph (If branch)', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [3]);
  const cond = b.input('c', 'bool', []);
  const outer = b.op('Neg', [x]); // read only by the then-branch
  const thenB = b.subgraph('then');
  thenB.op('Abs', [outer], {}, { output: 't_out' });
  thenB.output('t_out', 'float32', [3]);
  const elseB = b.subgraph('else');
  elseB.op('Identity', [x], {}, { output: 'e_out' });
  elseB.output('e_out', 'float32', [3]);
  b.op('If', [cond], { then_branch: thenB.graph(), else_branch: elseB.graph() }, { output: 'y' });
  b.output('y', 'float32', [3]);
  const model = b.build();
  eliminateDeadCode(model.graph);
  assert.deepEqual(model.graph.nodes.map((n) => n.op), ['Neg', 'If']);
});
