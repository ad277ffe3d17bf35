// The handtrackjs SSD detectors (TF1 while loop in the preprocessor, NMS in the postprocessor) lifted to ONNX match TF.js.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, test } from 'node:test';
import { GraphError } from '../../../src/errors.ts';
import { readTfjs } from '../../../src/formats/tfjs/index.ts';
import { attrString, type Model, type Node } from '../../../src/ir/graph.ts';
import { producers, toposort } from '../../../src/ir/toposort.ts';
import { liftTfjs, liftTfjsOrThrow } from '../../../src/passes/lift-tfjs/index.ts';
import { compare } from '../../compile/parity.ts';
import { checkDetector, describeParity, handtrack, picture, runLifted } from './detector-parity.ts';
import { writeTf1WhileModel } from './graph-fixtures.ts';

const INPUT_320 = { input_tensor: [1, 320, 320, 3] };

test('ssd320fpnlite (float32 weights) at 1×320×320×3: raw and post-NMS outputs match TF.js', async (t) => {
  const parity = await checkDetector(handtrack('ssd320fpnlite/base'), picture(320, 320), INPUT_320);
  t.diagnostic(describeParity('ssd320fpnlite/base', parity));
  assert.ok(parity.detections > 0, 'the picture gives detections to compare');
});

test('ssd320fpnlite (uint8-quantized weights) at 1×320×320×3: raw and post-NMS outputs match TF.js', async (t) => {
  const parity = await checkDetector(handtrack('ssd320fpnlite/int8'), picture(320, 320), INPUT_320);
  t.diagnostic(describeParity('ssd320fpnlite/int8', parity));
  assert.ok(parity.detections > 0, 'the picture gives detections to compare');
});

test('the preprocessor while loop is unrolled (no TF1 control flow, TensorList or ONNX Loop remains) and leaves one Transpose', async () => {
  const { model, report } = liftTfjs(await readTfjs(handtrack('ssd320fpnlite/base')), { inputShapes: INPUT_320 });
  assert.deepEqual(report.unliftable, []);
  const left = model.graph.nodes.filter((n) => /^(Enter|Exit|Merge|Switch|LoopCond|NextIteration|Loop|_WhileFrame)$|^TensorList/.test(n.op));
  assert.deepEqual(left.map((n) => n.op), []);
  const bilinear = model.graph.nodes.filter((n) => n.op === 'Resize' && attrString(n, 'mode') === 'linear');
  assert.equal(bilinear.length, 1, 'one ResizeBilinear per image of the batch of 1');
  assert.equal(report.ops.NonMaxSuppression, 7, 'one NMS per class');
  // The batch of 1 is unstacked and stacked again around the resize; once those unit-axis round trips are bypassed,
  // the Transposes around the resize and before the first Conv cancel, leaving one (after the input scaling).
  assert.equal(transposesBeforeFirstConv(model), 1);
});

test('with NCHW input the preprocessor has no Transpose at all, and computes what the NHWC lift does', async () => {
  const path = handtrack('ssd320fpnlite/base');
  const nchw = liftTfjs(await readTfjs(path), { inputShapes: INPUT_320, nchwIo: true });
  assert.deepEqual(nchw.report.unliftable, []);
  assert.equal(transposesBeforeFirstConv(nchw.model), 0);
  assert.equal(nchw.report.transposes.boundary, 0);
  const nhwc = liftTfjs(await readTfjs(path), { inputShapes: INPUT_320 });
  const image = picture(320, 320);
  const planar = new Uint8Array(image.data.length);
  (image.data as Uint8Array).forEach((v, i) => { planar[(i % 3) * 320 * 320 + Math.floor(i / 3)] = v; });
  const [a, b] = await Promise.all([
    runLifted(nhwc.model, { input_tensor: image }),
    runLifted(nchw.model, { input_tensor: { dtype: 'uint8', dims: [1, 3, 320, 320], data: planar } }),
  ]);
  for (const name of Object.keys(a)) assert.ok(compare(Array.from(a[name].data as ArrayLike<number>, Number), Array.from(b[name].data as ArrayLike<number>, Number)).psnr >= 100, name);
});

/** Transposes among the nodes the first Conv depends on (the preprocessor). */
function transposesBeforeFirstConv(model: Model): number {
  const made = producers(model.graph);
  const firstConv = toposort(model.graph).find((n) => n.op === 'Conv')!;
  const before = new Set<Node>();
  for (const stack = [...firstConv.inputs]; stack.length;) {
    const p = made.get(stack.pop()!);
    if (p && !before.has(p)) { before.add(p); stack.push(...p.inputs); }
  }
  return [...before].filter((n) => n.op === 'Transpose').length;
}

test('a while loop whose trip count needs an input shape that is not static is refused in one line naming the input', async () => {
  const path = writeTf1WhileModel();
  after(() => rmSync(dirname(path), { recursive: true, force: true }));
  const model = await readTfjs(path);
  assert.throws(() => liftTfjsOrThrow(model), (e: unknown) => {
    assert.ok(e instanceof GraphError, String(e));
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, /cannot lift 1 TF\.js op/);
    assert.match(e.message, /while loop 'rows\/while' cannot be unrolled: its trip count is not known before running the model: the shape of input 'x' is not static \(\[\?,4\]\); give --input-shape/);
    return true;
  });
});
