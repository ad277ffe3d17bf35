// select-outputs: chosen values become the outputs, with their types, and only what they need is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.ts';
import { readModel } from '../../src/formats/registry.ts';
import { readTfjs } from '../../src/formats/tfjs/index.ts';
import { producers } from '../../src/ir/toposort.ts';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';
import { parseOutputNames, selectOutputs } from '../../src/passes/select-outputs.ts';

/** Every node is an ancestor of some graph output (nothing left that the outputs do not need). */
function allNeeded(graph: Awaited<ReturnType<typeof readModel>>['graph']): boolean {
  const byValue = producers(graph);
  const seen = new Set<string>();
  const stack = graph.outputs.map((o) => o.name);
  while (stack.length) {
    const n = byValue.get(stack.pop()!);
    if (!n || seen.has(n.name)) continue;
    seen.add(n.name);
    stack.push(...n.inputs);
  }
  return graph.nodes.every((n) => seen.has(n.name));
}

test('an inner ONNX value becomes the only output, typed by inference, and the nodes after it go', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const before = model.graph.nodes.length;
  const conv = model.graph.nodes.find((n) => n.op === 'Conv')!;
  selectOutputs(model, [conv.outputs[0]]);
  assert.deepEqual(model.graph.outputs.map((o) => o.name), [conv.outputs[0]]);
  const type = model.graph.outputs[0].type;
  assert.equal(type.kind === 'tensor' && type.dtype, 'float32');
  assert.equal(type.kind === 'tensor' && type.shape?.length, 4);
  assert.ok(model.graph.nodes.length < before && model.graph.nodes.includes(conv));
  assert.ok(allNeeded(model.graph));
});

test('a TF.js layers model keeps the layers a chosen layer output needs, before any lift', async () => {
  const model = await readTfjs(join(PACKAGE_ROOT, 'node_modules/@upscalerjs/esrgan-slim/models/x2/model.json'));
  const before = model.graph.nodes.length;
  selectOutputs(model, ['F_m1']);
  assert.deepEqual(model.graph.nodes.map((n) => n.name), ['F_m1'], 'the first convolution reads the input directly');
  assert.ok(before > 10);
  assert.deepEqual(model.graph.inputs.map((i) => i.name), ['LR'], 'inputs stay');
});

test('unknown names are one UsageError listing some valid ones; an empty list is refused', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const out = model.graph.outputs[0].name;
  assert.throws(() => selectOutputs(model, [out, 'nope']), (e: Error) => e instanceof UsageError && /'nope'/.test(e.message) && e.message.includes(out) && !e.message.includes('\n'));
  assert.deepEqual(model.graph.outputs.map((o) => o.name), [out], 'nothing changed');
  assert.throws(() => parseOutputNames(' , '), UsageError);
  assert.deepEqual(parseOutputNames('a, b,,c'), ['a', 'b', 'c']);
});
