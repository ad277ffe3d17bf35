// Reading TF.js graph models: the handtrackjs SSD in float32, float16 and uint8 weights, and corrupt model.json files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FormatError } from '../../../src/errors.ts';
import { readTfjs } from '../../../src/formats/tfjs/index.ts';
import type { Model } from '../../../src/ir/graph.ts';
import { tensorValues } from '../../../src/ir/tensor.ts';
import { tempDir } from '../onnx/helpers.ts';

const ROOT = fileURLToPath(new URL('../../../node_modules/handtrackjs/models/webmodel/ssd320fpnlite/', import.meta.url));
const VARIANTS = ['base', 'fp16', 'int8'] as const;

interface NodeJson { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }
interface ModelJson { modelTopology: { node: NodeJson[] }; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; signature: { outputs: Record<string, unknown> } }

const loadJson = (variant: string): ModelJson => JSON.parse(readFileSync(join(ROOT, variant, 'model.json'), 'utf8')) as ModelJson;

/** What TF.js itself decodes from the shards: name → values. */
function tfjsWeights(variant: string, json: ModelJson): Map<string, ArrayLike<number>> {
  const out = new Map<string, ArrayLike<number>>();
  for (const group of json.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(ROOT, variant, p))));
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const decoded = tf.io.decodeWeights(buf, group.weights);
    for (const [name, t] of Object.entries(decoded)) {
      out.set(name, t.dataSync() as ArrayLike<number>);
      t.dispose();
    }
  }
  return out;
}

for (const variant of VARIANTS) {
  test(`handtrackjs ssd320fpnlite/${variant}: one node per op, Consts as initializers equal to tf.io.decodeWeights`, async () => {
    const json = loadJson(variant);
    const model = await readTfjs(join(ROOT, variant, 'model.json'));
    const nodes = json.modelTopology.node;
    const consts = nodes.filter((n) => n.op === 'Const');
    const placeholders = nodes.filter((n) => n.op === 'Placeholder');
    assert.equal(model.graph.nodes.length, nodes.length - consts.length - placeholders.length);
    assert.equal(model.graph.initializers.size, consts.length);
    assert.deepEqual(model.graph.inputs.map((i) => i.name), placeholders.map((p) => p.name));
    assert.deepEqual(model.graph.inputs[0].type, { kind: 'tensor', dtype: 'uint8', shape: [1, null, null, 3] });
    assert.deepEqual(model.graph.outputs.map((o) => o.name), Object.keys(json.signature.outputs).map((k) => k.replace(/:0$/, '')));
    assert.ok(model.graph.nodes.every((n) => n.domain === 'ai.tensorflow'));
    // Inputs `x:k` keep their index, control inputs are gone, and every value read is produced.
    const produced = new Set([...model.graph.inputs.map((i) => i.name), ...model.graph.initializers.keys(), ...model.graph.nodes.flatMap((n) => n.outputs)]);
    for (const n of model.graph.nodes) for (const i of n.inputs) assert.ok(produced.has(i), `${n.name} reads ${i}`);
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const n of model.graph.nodes) assert.equal(n.inputs.length, (byName.get(n.name)!.input ?? []).filter((i) => !i.startsWith('^')).length);
    // Attribute decoding on a real conv.
    const conv = model.graph.nodes.find((n) => n.op === '_FusedConv2D')!;
    assert.deepEqual(conv.attributes.get('strides'), { type: 'ints', value: [1, 2, 2, 1] });
    assert.equal(new TextDecoder().decode((conv.attributes.get('padding') as { value: Uint8Array }).value), 'SAME');
    assert.deepEqual((conv.attributes.get('fused_ops') as { value: Uint8Array[] }).value.map((s) => new TextDecoder().decode(s)), ['BiasAdd', 'Relu6']);
    assert.equal(new TextDecoder().decode((conv.attributes.get('T') as { value: Uint8Array }).value), 'DT_FLOAT');
    // Weights: bit-equal to TF.js's own decoding of the same bytes (float16 and uint8 dequantized the same way).
    const expected = tfjsWeights(variant, json);
    let compared = 0;
    for (const c of consts) {
      const want = expected.get(c.name);
      assert.ok(want, `TF.js has a weight for ${c.name}`);
      const got = model.graph.initializers.get(c.name)!;
      const values = tensorValues(got);
      assert.equal(values.length, want.length, c.name);
      for (let i = 0; i < values.length; i++) {
        if (Number(values[i]) !== want[i]) assert.fail(`${c.name}[${i}]: ${values[i]} vs TF.js ${want[i]}`);
      }
      compared++;
    }
    assert.equal(compared, consts.length);
  });
}

/** Writes the int8 model.json edited by `edit` beside copies of its shard, and reads it: the model or the error. */
async function readEdited(edit: (json: ModelJson) => void): Promise<{ file: string; result: unknown }> {
  const { dir, cleanup } = tempDir('ondevice-tfjs-');
  try {
    for (const f of readdirSync(join(ROOT, 'int8'))) if (f.endsWith('.bin')) copyFileSync(join(ROOT, 'int8', f), join(dir, f));
    const json = loadJson('int8');
    edit(json);
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify(json));
    return { file, result: await readTfjs(file).catch((err: unknown) => err) };
  } finally {
    cleanup();
  }
}

/** The one-line FormatError naming the file that reading the edited model gives. */
async function readCorrupt(edit: (json: ModelJson) => void): Promise<FormatError> {
  const { file, result: e } = await readEdited(edit);
  assert.ok(e instanceof FormatError, `expected a FormatError, got ${String(e)}`);
  assert.equal(e.file, file);
  assert.ok(!e.message.includes('\n'));
  return e;
}

/** A TensorFlow FunctionDef (as TF.js writes library functions): y = x · 2. */
const DOUBLE = {
  signature: { name: 'double_it', inputArg: [{ name: 'x', type: 'DT_FLOAT' }], outputArg: [{ name: 'y', type: 'DT_FLOAT' }] },
  nodeDef: [
    { name: 'two', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [2] } } } },
    { name: 'mul', op: 'Mul', input: ['x', 'two:output:0'], attr: { T: { type: 'DT_FLOAT' } } },
  ],
  ret: { y: 'mul:z:0' },
};

test('library functions become model-local functions; a node calling one is refused', async () => {
  const { result } = await readEdited((j) => { (j.modelTopology as Record<string, unknown>).library = { function: [DOUBLE] }; });
  const model = result as Model;
  assert.equal(model.functions.length, 1);
  const fn = model.functions[0];
  assert.equal(fn.name, 'double_it');
  assert.deepEqual(fn.inputs, ['x']);
  assert.deepEqual(fn.outputs, ['y']);
  assert.deepEqual(fn.nodes.map((n) => [n.op, n.inputs]), [['Const', []], ['Mul', ['x', 'two']], ['Identity', ['mul']]]);
  const e = await readCorrupt((j) => {
    (j.modelTopology as Record<string, unknown>).library = { function: [DOUBLE] };
    j.modelTopology.node.push({ name: 'call', op: 'double_it', input: ['input_tensor'] });
  });
  assert.match(e.message, /node 'call' \(double_it\) calls TensorFlow function 'double_it'/);
});

test('corrupt graph models fail with one line naming the file and the problem', async () => {
  const conv = (j: ModelJson): NodeJson => j.modelTopology.node.find((n) => n.op === '_FusedConv2D')!;
  assert.match((await readCorrupt((j) => { delete (conv(j) as Partial<NodeJson>).name; })).message, /has no name or op/);
  assert.match((await readCorrupt((j) => { delete (conv(j) as Partial<NodeJson>).op; })).message, /has no name or op/);
  assert.match((await readCorrupt((j) => { conv(j).input![0] = 'no/such/node'; })).message, /reads 'no\/such\/node', which names no node/);
  assert.match((await readCorrupt((j) => { conv(j).input![0] = 'no/such/node:2'; })).message, /which names no node/);
  assert.match((await readCorrupt((j) => {
    j.modelTopology.node.push({ name: 'orphan_const', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] } } } } });
  })).message, /Const 'orphan_const' has no weight/);
  assert.match((await readCorrupt((j) => { j.signature.outputs = { 'missing:0': { name: 'missing:0' } }; })).message, /the signature reads 'missing:0'/);
  assert.match((await readCorrupt((j) => { conv(j).attr!.strides = { list: { i: ['x'] } }; })).message, /attribute 'strides'.*not a number/);
  assert.match((await readCorrupt((j) => { j.modelTopology.node.find((n) => n.op === 'Placeholder')!.attr!.dtype = { type: 'DT_RESOURCE' }; })).message, /input 'input_tensor' has type DT_RESOURCE/);
});
