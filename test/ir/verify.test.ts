// The verifier: each broken invariant is reported naming the node (and the value), in subgraphs too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from '../../src/errors.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { assertValid, verifyGraph, type Issue } from '../../src/ir/verify.ts';

/** x → Relu(relu) → Conv(conv, w) → y */
function small() {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 3, 8, 8]);
  const w = b.initializer('w', 'float32', [4, 3, 3, 3], new Float32Array(4 * 27));
  const r = b.op('Relu', [x], {}, { name: 'relu' });
  const y = b.op('Conv', [r, w], {}, { name: 'conv' });
  b.output(y);
  return b.build();
}

const errors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error');

test('a well-formed model has no issues', () => {
  assert.deepEqual(verifyGraph(small()), []);
  assert.doesNotThrow(() => assertValid(small()));
});

test('dangling input names the node and the value', () => {
  const m = small();
  m.graph.nodes[1].inputs[1] = 'missing_weight';
  const [issue] = errors(verifyGraph(m));
  assert.equal(issue.code, 'dangling-input');
  assert.equal(issue.node, 'conv');
  assert.equal(issue.value, 'missing_weight');
  assert.throws(() => assertValid(m), (e: unknown) => e instanceof GraphError && e.node === 'conv' && /missing_weight/.test(e.message));
});

test('two producers of one value: the second node is named with the first', () => {
  const m = small();
  m.graph.nodes[1].outputs = [m.graph.nodes[0].outputs[0]];
  const issue = errors(verifyGraph(m)).find((i) => i.code === 'duplicate-producer');
  assert.ok(issue);
  assert.equal(issue.node, 'conv');
  assert.match(issue.message, /already produced by node 'relu'/);
});

test('duplicate node names are a warning only', () => {
  const m = small();
  m.graph.nodes[1].name = 'relu';
  const issues = verifyGraph(m);
  assert.deepEqual(issues.map((i) => [i.severity, i.code]), [['warning', 'duplicate-node-name']]);
  assert.doesNotThrow(() => assertValid(m));
});

test('a cycle is reported naming a node', () => {
  const m = small();
  m.graph.nodes[0].inputs = [m.graph.nodes[1].outputs[0]];
  const issue = errors(verifyGraph(m)).find((i) => i.code === 'cycle');
  assert.ok(issue);
  assert.ok(issue.node === 'relu' || issue.node === 'conv');
});

test('a graph output nobody produces', () => {
  const m = small();
  m.graph.outputs.push({ name: 'ghost', type: { kind: 'tensor', dtype: 'float32' } });
  const [issue] = errors(verifyGraph(m));
  assert.equal(issue.code, 'output-not-produced');
  assert.equal(issue.value, 'ghost');
});

test('declared dtype that disagrees with inference names the node', () => {
  const m = small();
  const r = m.graph.nodes[0].outputs[0];
  m.graph.valueInfo.set(r, { name: r, type: { kind: 'tensor', dtype: 'int64', shape: [1, 3, 8, 8] } });
  const [issue] = errors(verifyGraph(m));
  assert.equal(issue.code, 'dtype-mismatch');
  assert.equal(issue.node, 'relu');
  assert.match(issue.message, /inferred float32 but declared int64/);
});

test('an op rejecting its inputs is an issue, not a crash', () => {
  const m = small();
  const w = m.graph.initializers.get('w')!;
  w.dims = [4, 2, 3, 3];
  w.data = { kind: 'bytes', bytes: new Uint8Array(4 * 2 * 9 * 4) };
  const [issue] = errors(verifyGraph(m));
  assert.equal(issue.code, 'inference-error');
  assert.equal(issue.node, 'conv');
  assert.match(issue.message, /channel mismatch/);
});

test('a node in a domain the model does not import', () => {
  const m = small();
  m.graph.nodes[0].domain = 'com.example';
  const issue = errors(verifyGraph(m)).find((i) => i.code === 'unknown-domain');
  assert.ok(issue);
  assert.equal(issue.node, 'relu');
});

test('unnamed nodes are labelled by op and position', () => {
  const m = small();
  m.graph.nodes[1].name = '';
  m.graph.nodes[1].inputs[0] = 'nowhere';
  const [issue] = errors(verifyGraph(m));
  assert.equal(issue.node, 'Conv#1');
});

/** An If whose branches read the outer value `outer_name`. */
function withSubgraph(outerName: string) {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [2]);
  const cond = b.input('cond', 'bool', []);
  const sq = b.op('Mul', [x, x], {}, { name: 'square', output: 'sq' });
  const then = b.subgraph('then');
  then.output(then.op('Relu', [outerName], {}, { name: 'inner_relu' }), 'float32', [2]);
  const otherwise = b.subgraph('else');
  otherwise.output(otherwise.op('Neg', [sq], {}, { name: 'inner_neg' }), 'float32', [2]);
  const y = b.op('If', [cond], { then_branch: then.graph(), else_branch: otherwise.graph() }, { name: 'if' });
  b.output(y, 'float32', [2]);
  return b.build();
}

test('subgraphs may read outer-scope values', () => {
  assert.deepEqual(verifyGraph(withSubgraph('sq')), []);
});

test('a dangling name inside a subgraph names the inner node and the subgraph', () => {
  const issues = errors(verifyGraph(withSubgraph('not_defined')));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].code, 'dangling-input');
  assert.equal(issues[0].node, 'inner_relu');
  assert.equal(issues[0].graph, 'then');
  assert.throws(() => assertValid(withSubgraph('not_defined')), (e: unknown) => e instanceof GraphError && e.node === 'inner_relu' && /subgraph 'then'/.test(e.message));
});
