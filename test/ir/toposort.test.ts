// Toposort: stable order, cycles named, subgraph reads of outer-scope values; producer/consumer maps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { GraphError } from '../../src/errors.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { consumers, producers, toposort } from '../../src/ir/toposort.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { tempDir } from './op-harness.ts';

let dir = '';
let cleanup = async () => {};
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

/** A chain x → a → b → c plus an independent branch x → d. */
function chain() {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [4]);
  const a = b.op('Relu', [x], {}, { name: 'a' });
  const d = b.op('Neg', [x], {}, { name: 'd' });
  const bb = b.op('Abs', [a], {}, { name: 'b' });
  const c = b.op('Add', [bb, d], {}, { name: 'c' });
  b.output(c, 'float32', [4]);
  return b.build();
}

test('an already sorted graph keeps its file order', () => {
  const m = chain();
  assert.deepEqual(toposort(m.graph).map((n) => n.name), m.graph.nodes.map((n) => n.name));
});

test('a shuffled graph is ordered after its producers, ties broken by file order', () => {
  const m = chain();
  m.graph.nodes.reverse(); // c, b, d, a
  const order = toposort(m.graph).map((n) => n.name);
  const pos = new Map(order.map((n, i) => [n, i]));
  for (const node of m.graph.nodes) {
    for (const input of node.inputs) {
      const p = producers(m.graph).get(input);
      if (p) assert.ok(pos.get(p.name)! < pos.get(node.name)!, `${p.name} before ${node.name}`);
    }
  }
  // d comes before a in the reversed file, and both are ready at the start.
  assert.deepEqual(order, ['d', 'a', 'b', 'c']);
});

test('a cycle throws a GraphError naming a node on it', () => {
  const m = chain();
  // Close a loop: a reads c's output.
  const a = m.graph.nodes.find((n) => n.name === 'a')!;
  a.inputs = [m.graph.nodes.find((n) => n.name === 'c')!.outputs[0]];
  assert.throws(() => toposort(m.graph), (err: unknown) => {
    assert.ok(err instanceof GraphError);
    assert.ok(['a', 'b', 'c'].includes(err.node!), `node ${err.node}`);
    assert.match(err.message, /cycle: (a|b|c) -> (a|b|c) -> (a|b|c) -> \1/);
    return true;
  });
});

test('a node whose subgraph reads an outer value runs after that value is produced', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [3]);
  const cond = b.input('cond', 'bool', []);
  const then = b.subgraph('then');
  then.output(then.op('Relu', ['late']), 'float32', [3]);
  const otherwise = b.subgraph('else');
  otherwise.output(otherwise.op('Neg', ['late']), 'float32', [3]);
  // The If comes first in the file, its bodies read 'late', produced by the Mul after it.
  const y = b.op('If', [cond], { then_branch: then.graph(), else_branch: otherwise.graph() }, { name: 'if' });
  b.op('Mul', [x, x], {}, { name: 'square', output: 'late' });
  b.output(y, 'float32', [3]);
  const model = b.build();

  assert.deepEqual(toposort(model.graph).map((n) => n.name), ['square', 'if']);
  assert.deepEqual(consumers(model.graph).get('late')?.map((n) => n.name), ['if']);
  assert.equal(producers(model.graph).get('late')?.name, 'square');

  // The runtime agrees on the semantics: sort, write, run both branches.
  model.graph.nodes = toposort(model.graph);
  const file = join(dir, 'if.onnx');
  await writeModel(model, file);
  const session = await ort.InferenceSession.create(file, { logSeverityLevel: 4 });
  const data = Float32Array.from([1.5, -2, 3]);
  for (const c of [true, false]) {
    const out = await session.run({ x: new ort.Tensor('float32', data, [3]), cond: new ort.Tensor('bool', Uint8Array.from([c ? 1 : 0]), []) });
    const expected = Array.from(data, (v) => (c ? Math.max(v * v, 0) : -(v * v)));
    assert.deepEqual(Array.from(out[y].data as Float32Array), expected);
  }
  await session.release();
});
