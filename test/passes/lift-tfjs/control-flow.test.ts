// TF1 while loops (with TensorLists) are unrolled over their static trip count, and the detection ops lift, matching TF.js.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, test } from 'node:test';
import { readVerifiedModel } from '../../../src/formats/read-verified.ts';
import { readTfjs } from '../../../src/formats/tfjs/index.ts';
import { toposort } from '../../../src/ir/toposort.ts';
import { liftTfjs } from '../../../src/passes/lift-tfjs/index.ts';
import type { HostTensor } from '../../../src/runtimes/runtime.ts';
import { tfjsRuntime } from '../../../src/runtimes/tfjs.ts';
import { mulberry32 } from '../../../src/util/random.ts';
import { runFeeds } from '../../compile/parity.ts';
import { runLifted } from './detector-parity.ts';
import { DETECTION_BOXES, writeDetectionOpsModel, writeNestedWhileModel, writeTf1WhileModel } from './graph-fixtures.ts';

/** Every output of both runs as plain numbers (TF.js gives int32 where ONNX gives int64), by name. */
function asNumbers(outputs: Record<string, HostTensor>): Record<string, { dims: number[]; values: number[] }> {
  return Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { dims: t.dims, values: Array.from(t.data as ArrayLike<number>, Number) }]));
}

const whileModel = writeTf1WhileModel();
after(() => rmSync(dirname(whileModel), { recursive: true, force: true }));

test('a graph model with a TF1 while loop reads and verifies: its back edge (NextIteration → Merge) is no cycle', async () => {
  const { model } = await readVerifiedModel(whileModel);
  const order = toposort(model.graph).map((n) => n.name);
  assert.ok(order.indexOf('merge_i') < order.indexOf('switch_i') && order.indexOf('i_next') < order.indexOf('next_i'));
});

for (const rows of [1, 3, 5]) {
  test(`a TF1 while loop over the ${rows} rows of its input is unrolled ${rows} times and computes what TF.js does`, async () => {
    const { model, report } = liftTfjs(await readTfjs(whileModel), { inputShapes: { x: [rows, 4] } });
    assert.deepEqual(report.unliftable, []);
    assert.equal(report.ops.Mul, rows, 'one copy of the body per iteration');
    const rand = mulberry32(rows);
    const x: HostTensor = { dtype: 'float32', dims: [rows, 4], data: Float32Array.from({ length: rows * 4 }, () => rand() * 4 - 2) };
    assert.deepEqual(asNumbers(await runLifted(model, { x })), asNumbers(await runFeeds(tfjsRuntime, whileModel, { x })));
  });
}

test('a while loop nested in another is unrolled innermost first (2 × 3 body copies) and computes what the loops say', async () => {
  const path = writeNestedWhileModel();
  after(() => rmSync(dirname(path), { recursive: true, force: true }));
  const { model, report } = liftTfjs(await readTfjs(path));
  assert.deepEqual(report.unliftable, []);
  assert.equal(report.ops.Mul, 6, 'the inner body twice three times');
  const x = Float32Array.of(1, -2, 0.25, 8);
  // TF.js's executor does not run this nested TF1 loop (its outputs are "not computable"), so the loops are run here.
  const expected = Float32Array.from(x);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.forEach((a, k) => { expected[k] = Math.fround(Math.fround(a * 0.5) + x[k]); });
  const { result } = await runLifted(model, { x: { dtype: 'float32', dims: [4], data: x } });
  assert.deepEqual(Array.from(result.data as Float32Array), Array.from(expected));
});

test('NonMaxSuppressionV3/V4 (padded)/V5, TopKV2 and Where on overlapping boxes give what TF.js gives', async () => {
  const path = writeDetectionOpsModel();
  after(() => rmSync(dirname(path), { recursive: true, force: true }));
  const rand = mulberry32(5);
  const boxes = new Float32Array(DETECTION_BOXES * 4);
  for (let i = 0; i < DETECTION_BOXES; i++) {
    // Rows of boxes 0.1 apart and 0.2–0.3 wide: neighbours overlap, so NMS suppresses some.
    const cy = 0.3 + 0.2 * Math.floor(i / 8) + 0.05 * rand(), cx = 0.2 + 0.1 * (i % 4) + 0.05 * rand();
    const h = 0.2 + 0.1 * rand(), w = 0.2 + 0.1 * rand();
    boxes.set([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], i * 4);
  }
  const feeds: Record<string, HostTensor> = {
    boxes: { dtype: 'float32', dims: [DETECTION_BOXES, 4], data: boxes },
    scores: { dtype: 'float32', dims: [DETECTION_BOXES], data: Float32Array.from({ length: DETECTION_BOXES }, () => rand()) },
  };
  const { model, report } = liftTfjs(await readTfjs(path));
  assert.deepEqual(report.unliftable, []);
  const got = asNumbers(await runLifted(model, feeds));
  const ref = asNumbers(await runFeeds(tfjsRuntime, path, feeds));
  assert.deepEqual(got, ref);
  const valid = ref.v4_valid.values[0];
  assert.ok(valid > 1 && valid < 16, `NMS V4 kept ${valid} boxes, padded to 16: the padding is exercised`);
});

test('Soft-NMS (NonMaxSuppressionV5 with soft_nms_sigma > 0) is refused, naming the op and why', async () => {
  const path = writeDetectionOpsModel(0.5);
  after(() => rmSync(dirname(path), { recursive: true, force: true }));
  const { report } = liftTfjs(await readTfjs(path));
  assert.deepEqual(report.unliftable.map((u) => [u.op, u.why]), [['NonMaxSuppressionV5', 'soft_nms_sigma 0.5 (Soft-NMS) has no ONNX counterpart; only 0 (hard NMS) is lifted']]);
});
