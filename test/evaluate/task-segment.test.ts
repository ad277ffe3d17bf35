// evaluate's segment task metrics on the real MediaPipe selfie segmenter (lifted to ONNX) over rendered people: candidates' mask IoU against the float model's.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { compileFile } from '../../src/compile/compile.ts';
import { imageFolderSource } from '../../src/data/image-folder.ts';
import type { Recipe } from '../../src/data/recipe.ts';
import { evaluateTaskMetrics, type SegmentMetrics } from '../../src/evaluate/task-metrics/index.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { makeTensor, tensorFloats } from '../../src/ir/tensor.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import type { SegmentTask } from '../../src/tasks/task.ts';
import { sceneSvg, type PersonSpec } from '../support/people.ts';
import { tempDir } from './helpers.ts';

const TFLITE = 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite';
const TASK: SegmentTask = { task: 'segment', output: 'activation_10', activation: 'none', threshold: 0.5 };
const SCENES: { wall: string; people: PersonSpec[] }[] = [
  { wall: '#8fa37a', people: [{ cx: 128, cy: 100, r: 45 }] },
  { wall: 'stripes', people: [{ cx: 110, cy: 90, r: 40 }] },
  { wall: '#d8d0c0', people: [{ cx: 150, cy: 110, r: 35 }] },
  { wall: '#6a8caf', people: [{ cx: 80, cy: 110, r: 30 }, { cx: 180, cy: 110, r: 30 }] },
  { wall: 'stripes', people: [{ cx: 128, cy: 120, r: 55 }] },
  { wall: '#b0b8c0', people: [] },
];

describe('evaluate segment metrics: selfie segmenter on rendered people', () => {
  const tmp = tempDir();
  const data = join(tmp.dir, 'people');
  const ref = join(tmp.dir, 'selfie.onnx'), fp16 = join(tmp.dir, 'selfie.fp16.onnx'), w8a8 = join(tmp.dir, 'selfie.w8a8.onnx'), broken = join(tmp.dir, 'selfie.broken.onnx');
  let recipe: Recipe;
  let metrics: SegmentMetrics;

  before(async () => {
    await compileFile(TFLITE, ref, { target: 'onnx' });
    mkdirSync(data);
    for (const [i, s] of SCENES.entries()) await sharp(Buffer.from(sceneSvg(256, 256, s.wall, s.people))).png().toFile(join(data, `scene-${i}.png`));
    const model = await readModel(ref);
    recipe = { input: model.graph.inputs[0].name, layout: 'NHWC', size: [256, 256], resize: 'stretch', channels: 'RGB', scale: 1 / 255, mean: [0], std: [1] };
    await writeModel((await quantizeModel(await readModel(ref), { scheme: 'fp16' })).model, fp16);
    await writeModel((await quantizeModel(await readModel(ref), { scheme: 'w8a8', calibration: { source: imageFolderSource(data, recipe) } })).model, w8a8);
    // A damaged candidate: the first convolution's weights sign-flipped (what a broken conversion could do).
    const bad = await readModel(ref);
    const [name, w] = [...bad.graph.initializers].find(([, t]) => t.dims.length === 4)!;
    bad.graph.initializers.set(name, makeTensor(w.name, w.dtype, w.dims, Float32Array.from(tensorFloats(w), (v) => -v)));
    await writeModel(bad, broken);
    metrics = (await evaluateTaskMetrics(TASK, ref, [fp16, w8a8, broken], { data, source: imageFolderSource(data, recipe) })) as SegmentMetrics;
  });
  after(() => tmp.dispose());

  // Measured: fp16 mean 1.000 (worst 0.9998), w8a8 (calibrated on these 6 images) mean 0.986 (worst 0.979), the model
  // with its first convolution sign-flipped 0.511 (worst 0).
  it('fp16 masks match the float model\'s (mean IoU ≥ 0.98), w8a8 loses a little, the damaged model much', (t) => {
    t.diagnostic(JSON.stringify(metrics.models.map((m) => ({ model: m.path.split('/').pop(), mean: m.meanIoU, worst: m.worstIoU, at: m.worstExample, fg: m.foreground }))));
    assert.equal(metrics.images, SCENES.length);
    assert.equal(metrics.threshold, 0.5);
    const [float, half, int8, bad] = metrics.models;
    assert.equal(float.meanIoU, undefined);
    assert.ok(float.foreground > 0.1 && float.foreground < 0.6, `float foreground ${float.foreground}`);
    assert.ok(half.meanIoU! >= 0.98 && half.worstIoU! >= 0.95, `fp16 ${half.meanIoU} / ${half.worstIoU}`);
    assert.ok(int8.meanIoU! >= 0.9 && int8.meanIoU! < half.meanIoU!, `w8a8 ${int8.meanIoU}`);
    assert.ok(half.worstIoU! <= half.meanIoU! && int8.worstIoU! <= int8.meanIoU!);
    assert.ok(bad.meanIoU! < 0.7, `damaged ${bad.meanIoU}`);
    assert.match(bad.worstExample!, /^scene-\d\.png$/);
  });

  it('the reference as its own candidate agrees perfectly: IoU 1', async () => {
    const m = (await evaluateTaskMetrics(TASK, ref, [ref], { data, source: imageFolderSource(data, recipe), limit: 2 })) as SegmentMetrics;
    assert.equal(m.images, 2);
    assert.equal(m.models[1].meanIoU, 1);
    assert.equal(m.models[1].worstIoU, 1);
  });

  it('the task threshold is the cut for foreground and IoU: a low one counts more pixels than a high one', async () => {
    const at = async (threshold: number) => (await evaluateTaskMetrics({ ...TASK, threshold }, ref, [broken], { data, source: imageFolderSource(data, recipe), limit: 3 })) as SegmentMetrics;
    const [low, high] = [await at(0.05), await at(0.95)];
    assert.deepEqual([low.threshold, high.threshold], [0.05, 0.95]);
    assert.ok(low.models[0].foreground > high.models[0].foreground, `${low.models[0].foreground} vs ${high.models[0].foreground}`);
    // The IoU is taken at the task's threshold too: the damaged model's soft mask scores differently at each cut.
    assert.notEqual(low.models[1].meanIoU, high.models[1].meanIoU);
  });
});
