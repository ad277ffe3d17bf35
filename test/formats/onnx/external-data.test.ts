// External data: written past a threshold, read back lazily (range reads), re-written anywhere, same ORT outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Model, Node } from '../../../src/ir/graph.ts';
import { makeTensor, tensorBytes } from '../../../src/ir/tensor.ts';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { writeOnnx } from '../../../src/formats/onnx/write.ts';
import { runModel, seededFloats, tempDir } from './helpers.ts';

const IN = 256, HIDDEN = 1024, OUT = 64;

function buildModel(): Model {
  const node = (op: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = new Map()): Node =>
    ({ op, domain: '', name: op + outputs[0], inputs, outputs, attributes });
  const model: Model = {
    graph: {
      name: 'mlp',
      inputs: [{ name: 'x', type: { kind: 'tensor', dtype: 'float32', shape: ['batch', IN] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', dtype: 'float32', shape: ['batch', OUT] } }],
      nodes: [
        node('MatMul', ['x', 'w1'], ['h']),
        node('Add', ['h', 'b1'], ['hb']),
        // A weight held by a Constant node: attribute tensors go external too.
        node('Constant', [], ['w2'], new Map([['value', { type: 'tensor', value: makeTensor('w2', 'float32', [HIDDEN, OUT], seededFloats(HIDDEN * OUT, 2)) }]])),
        node('MatMul', ['hb', 'w2'], ['y']),
      ],
      initializers: new Map([
        ['w1', makeTensor('w1', 'float32', [IN, HIDDEN], seededFloats(IN * HIDDEN, 1))], // 1 MiB
        ['b1', makeTensor('b1', 'float32', [HIDDEN], seededFloats(HIDDEN, 3))], // 4 KiB: stays inline
      ]),
      sparseInitializers: [],
      valueInfo: new Map(),
    },
    opsets: [{ domain: '', version: 17 }],
    irVersion: 8,
    metadata: [],
    functions: [],
  };
  return model;
}

const feeds = () => ({ x: new ort.Tensor('float32', seededFloats(2 * IN, 9), [2, IN]) });
const same = (a: Map<string, { bytes: Uint8Array }>, b: Map<string, { bytes: Uint8Array }>) =>
  Buffer.from(a.get('y')!.bytes).equals(Buffer.from(b.get('y')!.bytes));

test('external data: threshold, lazy range reads, re-writing (also over itself) keeps ORT outputs', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const first = join(dir, 'mlp.onnx');
    await writeOnnx(buildModel(), first, { externalDataThreshold: 64 * 1024 });
    assert.ok(existsSync(`${first}.data`));
    assert.ok(statSync(first).size < 16 * 1024, 'big weights are not inline');
    assert.deepEqual(readdirSync(dir).sort(), ['mlp.onnx', 'mlp.onnx.data'], 'no temp files left behind');
    const reference = await runModel(first, feeds());

    const model = await readOnnx(first);
    const w1 = model.graph.initializers.get('w1')!;
    assert.equal(w1.data.kind, 'external');
    assert.equal(model.graph.initializers.get('b1')!.data.kind, 'bytes');
    const w2attr = model.graph.nodes[2].attributes.get('value')!;
    assert.ok(w2attr.type === 'tensor' && w2attr.value.data.kind === 'external');
    if (w1.data.kind !== 'external') return;
    const { offset, length } = w1.data.source;
    assert.equal(w1.data.source.location, 'mlp.onnx.data');
    assert.equal(length, IN * HIDDEN * 4);
    assert.equal(offset % 4096, 0);

    // Nothing was read yet: bytes changed on disk after read() are what load() returns.
    const original = Buffer.from(seededFloats(IN * HIDDEN, 1).buffer);
    const changed = Buffer.from(seededFloats(IN * HIDDEN, 77).buffer);
    const fd = openSync(`${first}.data`, 'r+');
    writeSync(fd, changed, 0, length, offset);
    assert.ok(Buffer.from(tensorBytes(w1)).equals(changed), 'load() reads the current range');
    writeSync(fd, original, 0, length, offset);
    closeSync(fd);
    assert.ok(Buffer.from(tensorBytes(w1)).equals(original));

    // Re-write elsewhere with external data, inline, and over the very files it was read from.
    const second = join(dir, 'copy.onnx');
    await writeOnnx(model, second, { externalDataThreshold: 64 * 1024, externalDataName: 'weights.bin' });
    assert.ok(existsSync(join(dir, 'weights.bin')));
    const inline = join(dir, 'inline.onnx');
    await writeOnnx(model, inline);
    assert.ok(statSync(inline).size > IN * HIDDEN * 4);
    // Over itself, with b1 first and external too, so w1 moves within the new data file.
    const reordered: Model = { ...model, graph: { ...model.graph, initializers: new Map([...model.graph.initializers].reverse()) } };
    await writeOnnx(reordered, first, { externalDataThreshold: 1024 });
    for (const path of [second, inline, first]) assert.ok(same(reference, await runModel(path, feeds())), `${path} outputs differ`);
    const lazy = (await readOnnx(first)).graph.initializers.get('w1')!;
    assert.ok(lazy.data.kind === 'external' && lazy.data.source.offset !== offset, 'w1 moved in the new file');
    // The model read before the overwrite still loads its own bytes from the file it was read from.
    assert.ok(Buffer.from(tensorBytes(w1)).equals(original));
    const reread = await readOnnx(first, { eagerExternalData: true });
    assert.equal(reread.graph.initializers.get('w1')!.data.kind, 'bytes');
    assert.ok(Buffer.from(tensorBytes(reread.graph.initializers.get('w1')!)).equals(original));
  } finally {
    cleanup();
  }
});
