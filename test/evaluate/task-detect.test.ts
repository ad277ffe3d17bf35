// evaluate's detect task metrics on the real MediaPipe BlazeFace (lifted to ONNX) over rendered faces with known boxes: mAP, fp16/w8a8 agreement, CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { compileFile } from '../../src/compile/compile.ts';
import { imageFolderSource } from '../../src/data/image-folder.ts';
import type { Recipe } from '../../src/data/recipe.ts';
import { evaluateTaskMetrics, type DetectMetrics } from '../../src/evaluate/task-metrics/index.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { makeTensor, tensorFloats } from '../../src/ir/tensor.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { BLAZEFACE_SHORT_RANGE_TASK } from '../../src/tasks/detect/postprocess.ts';
import { faceSceneSvg, faceTruth, type FaceSpec } from '../support/faces.ts';
import { tempDir } from './helpers.ts';

const TFLITE = 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite';
const SIZE = 256;
/** MediaPipe's input: 128×128 NHWC in [-1, 1], the image stretched (so boxes normalised to the input are normalised to the image). */
const RECIPE: Recipe = { input: 'input', layout: 'NHWC', size: [128, 128], resize: 'stretch', channels: 'RGB', scale: 1 / 127.5, mean: [1], std: [1] };
/** Nine scenes: one to three faces of radius 22–80 px, one without a face. */
const SCENES: FaceSpec[][] = [
  [{ cx: 128, cy: 128, r: 60 }], [{ cx: 128, cy: 128, r: 40 }], [{ cx: 100, cy: 140, r: 50 }],
  [{ cx: 70, cy: 128, r: 45 }, { cx: 186, cy: 128, r: 45 }], [], [{ cx: 60, cy: 60, r: 30 }, { cx: 190, cy: 180, r: 35 }],
  [{ cx: 128, cy: 90, r: 25 }], [{ cx: 150, cy: 110, r: 80 }], [{ cx: 64, cy: 190, r: 22 }, { cx: 190, cy: 64, r: 28 }, { cx: 128, cy: 128, r: 30 }],
];
const FACES = SCENES.flat().length;

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('evaluate detect metrics: BlazeFace on rendered faces', () => {
  const tmp = tempDir();
  const data = join(tmp.dir, 'faces');
  const ref = join(tmp.dir, 'face.onnx'), fp16 = join(tmp.dir, 'face.fp16.onnx'), w8a8 = join(tmp.dir, 'face.w8a8.onnx'), broken = join(tmp.dir, 'face.broken.onnx');
  const boxes: Record<string, { xmin: number; ymin: number; xmax: number; ymax: number }[]> = {};
  let metrics: DetectMetrics;
  const source = () => imageFolderSource(data, RECIPE);

  before(async () => {
    await compileFile(TFLITE, ref, { target: 'onnx' });
    mkdirSync(data);
    for (const [i, faces] of SCENES.entries()) {
      const file = `scene-${i}.png`;
      await sharp(Buffer.from(faceSceneSvg(faces, SIZE, i % 2 ? '#6a8caf' : '#8fa37a'))).png().toFile(join(data, file));
      boxes[file] = faces.map((f) => faceTruth(f, SIZE).box);
    }
    writeFileSync(join(data, 'boxes.json'), JSON.stringify(boxes));
    await writeModel((await quantizeModel(await readModel(ref), { scheme: 'fp16' })).model, fp16);
    await writeModel((await quantizeModel(await readModel(ref), { scheme: 'w8a8', calibration: { source: source() } })).model, w8a8);
    // A damaged candidate: the first convolution's weights sign-flipped (what a broken conversion could do).
    const bad = await readModel(ref);
    const [name, w] = [...bad.graph.initializers].find(([, t]) => t.dims.length === 4)!;
    bad.graph.initializers.set(name, makeTensor(w.name, w.dtype, w.dims, Float32Array.from(tensorFloats(w), (v) => -v)));
    await writeModel(bad, broken);
    metrics = (await evaluateTaskMetrics({ ...BLAZEFACE_SHORT_RANGE_TASK }, ref, [fp16, w8a8, broken], { data, source: source() })) as DetectMetrics;
  });
  after(() => tmp.dispose());

  it('finds every drawn face: mAP@0.5 against boxes.json is 1 for the float model, and each detection is counted', (t) => {
    t.diagnostic(JSON.stringify(metrics.models.map((m) => ({ model: m.path.split('/').pop(), map: m.map, agreement: m.agreement, detections: m.detections }))));
    assert.equal(metrics.task, 'detect');
    assert.equal(metrics.images, SCENES.length);
    assert.equal(metrics.labelledImages, SCENES.length);
    const [float] = metrics.models;
    assert.equal(float.map, 1);
    assert.deepEqual(float.classes?.map((c) => [c.groundTruth, c.truePositives, c.falsePositives]), [[FACES, FACES, 0]]);
    assert.equal(float.detections, FACES);
    assert.equal(float.agreement, undefined, 'the reference has no agreement with itself');
  });

  it('fp16 and w8a8 candidates keep the mAP and agree with the float model\'s detections (mAP against them ≥ 0.95); a damaged one does not', () => {
    const [, half, int8, bad] = metrics.models;
    assert.ok(bad.map! < 0.8 && bad.agreement! < 0.8, `damaged: mAP ${bad.map}, agreement ${bad.agreement}`);
    assert.ok(half.map! >= 0.95 && int8.map! >= 0.9, `fp16 ${half.map}, w8a8 ${int8.map}`);
    assert.ok(half.agreement! >= 0.95, `fp16 agreement ${half.agreement}`);
    assert.ok(int8.agreement! >= 0.9, `w8a8 agreement ${int8.agreement}`);
  });

  it('the ground truth drives the mAP: boxes moved by a face width score 0; an unlisted image is left out', async () => {
    const moved = Object.fromEntries(Object.entries(boxes).map(([f, bs]) => [f, bs.map((b) => {
      const w = b.xmax - b.xmin, dx = b.xmin + 2 * w <= 1 ? w : -w;
      return { ...b, xmin: Math.max(0, b.xmin + dx), xmax: Math.min(1, b.xmax + dx) };
    })]));
    delete moved['scene-0.png'];
    const file = join(tmp.dir, 'moved.json');
    writeFileSync(file, JSON.stringify(moved));
    const m = (await evaluateTaskMetrics({ ...BLAZEFACE_SHORT_RANGE_TASK }, ref, [], { data, source: source(), boxes: file })) as DetectMetrics;
    assert.equal(m.labelledImages, SCENES.length - 1);
    assert.equal(m.models[0].map, 0);
    assert.equal(m.models[0].classes?.[0].groundTruth, FACES - 1);
  });

  it('the CLI finds face.task.json beside the reference and prints the mAP table; --json carries taskMetrics', () => {
    writeFileSync(join(tmp.dir, 'face.task.json'), JSON.stringify(BLAZEFACE_SHORT_RANGE_TASK));
    writeFileSync(join(tmp.dir, 'face.preprocess.json'), JSON.stringify(RECIPE));
    const report = join(tmp.dir, 'report.html');
    const text = ondevice('evaluate', ref, fp16, '--data', data, '--report', report);
    assert.ok([0, 3].includes(text.code!), text.stderr);
    const html = readFileSync(report, 'utf8');
    assert.match(html, /<h2>detection \(task face\.task\.json\): 9 images, 9 with ground-truth boxes; mAP at IoU 0\.5<\/h2>/);
    assert.match(html, /<th>mAP@0\.5 vs reference<\/th>.*<td>face\.fp16\.onnx<\/td><td>12<\/td><td>1\.000<\/td><td>1\.000<\/td>/s);
    assert.match(text.stdout, /detection \(task face\.task\.json\): 9 images, 9 with ground-truth boxes/);
    assert.match(text.stdout, /face\.onnx \(reference\)\s*│\s*12\s*│\s*1\.000/);
    const json = ondevice('evaluate', ref, fp16, '--data', data, '--json');
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.taskMetrics.models[0].map, 1);
    assert.ok(parsed.taskMetrics.models[1].agreement >= 0.95);
    assert.ok(parsed.candidates[0].fidelity.length > 0, 'the fidelity figures are still there');
  });

  it('a task that does not fit the model is one usage error naming the task file', () => {
    const wrong = join(tmp.dir, 'selfie.task.json');
    writeFileSync(wrong, JSON.stringify({ task: 'segment', output: 'activation_10' }));
    copyFileSync(join(tmp.dir, 'face.preprocess.json'), join(tmp.dir, 'preprocess.json'));
    const r = ondevice('evaluate', ref, fp16, '--data', data, '--task', wrong);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /selfie\.task\.json: the segment task reads output 'activation_10', but face\.onnx has outputs 'regressors', 'classificators'/);
  });
});
