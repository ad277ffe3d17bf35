// If and Loop bodies that use outer-scope values: written from the IR, run in ORT, round-tripped, same outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Graph, Model, Node, NodeAttributes, ValueInfo } from '../../../src/ir/graph.ts';
import { makeTensor, tensorFloats } from '../../../src/ir/tensor.ts';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { writeOnnx } from '../../../src/formats/onnx/write.ts';
import { runModel, tempDir } from './helpers.ts';

const f32 = (name: string, shape: (number | string | null)[]): ValueInfo => ({ name, type: { kind: 'tensor', dtype: 'float32', shape } });
const node = (op: string, inputs: string[], outputs: string[], attributes: NodeAttributes = new Map()): Node =>
  ({ op, domain: '', name: `${op}_${outputs[0]}`, inputs, outputs, attributes });
const graph = (name: string, inputs: ValueInfo[], outputs: ValueInfo[], nodes: Node[]): Graph =>
  ({ name, inputs, outputs, nodes, initializers: new Map(), sparseInitializers: [], valueInfo: new Map() });

function buildModel(): Model {
  // then: x + w; else: x * w (both read the outer initializer w and the outer input x).
  const thenBranch = graph('then', [], [f32('then_out', [3])], [node('Add', ['x', 'w'], ['then_out'])]);
  const elseBranch = graph('else', [], [f32('else_out', [3])], [node('Mul', ['x', 'w'], ['else_out'])]);
  // Loop body: v = v + w each iteration, scan output v * x; cond passes through.
  const body = graph('body',
    [{ name: 'iter', type: { kind: 'tensor', dtype: 'int64', shape: [] } }, { name: 'cond_in', type: { kind: 'tensor', dtype: 'bool', shape: [] } }, f32('v_in', [3])],
    [{ name: 'cond_out', type: { kind: 'tensor', dtype: 'bool', shape: [] } }, f32('v_out', [3]), f32('scan_out', [3])],
    [node('Identity', ['cond_in'], ['cond_out']), node('Add', ['v_in', 'w'], ['v_out']), node('Mul', ['v_out', 'x'], ['scan_out'])]);
  const main = graph('main',
    [{ name: 'cond', type: { kind: 'tensor', dtype: 'bool', shape: [] } }, f32('x', [3]), { name: 'trips', type: { kind: 'tensor', dtype: 'int64', shape: [] } }],
    [f32('y_if', [3]), f32('v_final', [3]), f32('scans', ['trips', 3])],
    [
      node('If', ['cond'], ['y_if'], new Map([['then_branch', { type: 'graph', value: thenBranch }], ['else_branch', { type: 'graph', value: elseBranch }]])),
      node('Loop', ['trips', 'loop_cond', 'x'], ['v_final', 'scans'], new Map([['body', { type: 'graph', value: body }]])),
    ]);
  main.initializers.set('w', makeTensor('w', 'float32', [3], new Float32Array([0.5, -2, 3.25])));
  main.initializers.set('loop_cond', makeTensor('loop_cond', 'bool', [], new Uint8Array([1])));
  main.valueInfo.set('y_if', { ...f32('y_if', [3]), docString: 'the If result' });
  return { graph: main, opsets: [{ domain: '', version: 17 }], irVersion: 8, producerName: 'ondevice-test', metadata: [['k', 'v']], functions: [] };
}

test('If and Loop with outer-scope values run in ORT and survive a round trip', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const model = buildModel();
    const first = join(dir, 'control.onnx');
    await writeOnnx(model, first);
    const reread = await readOnnx(first);
    assert.deepStrictEqual(reread, model);
    const second = join(dir, 'control2.onnx');
    await writeOnnx(reread, second);

    const x = new Float32Array([1, 2, -4]);
    const w = tensorFloats(model.graph.initializers.get('w')!);
    for (const cond of [true, false]) {
      const feeds = {
        cond: new ort.Tensor('bool', new Uint8Array([cond ? 1 : 0]), []),
        x: new ort.Tensor('float32', x, [3]),
        trips: new ort.Tensor('int64', new BigInt64Array([4n]), []),
      };
      const [a, b] = [await runModel(first, feeds), await runModel(second, feeds)];
      for (const [name, out] of a) assert.ok(Buffer.from(out.bytes).equals(Buffer.from(b.get(name)!.bytes)), `${name} differs after round trip`);
      // The runtime really used the outer values: check against the same arithmetic done here.
      const yIf = new Float32Array(a.get('y_if')!.bytes.buffer);
      x.forEach((xi, i) => assert.equal(yIf[i], Math.fround(cond ? xi + w[i] : xi * w[i])));
      assert.deepEqual(a.get('scans')!.dims, [4, 3]);
      const vFinal = new Float32Array(a.get('v_final')!.bytes.buffer);
      x.forEach((xi, i) => {
        let v = xi;
        for (let k = 0; k < 4; k++) v = Math.fround(v + w[i]);
        assert.equal(vFinal[i], v);
      });
    }
  } finally {
    cleanup();
  }
});
