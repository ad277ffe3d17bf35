// Shared by the TF.js lift tests: run a lifted model in onnxruntime; lift a handtrackjs SSD, run it and TF.js on one picture, compare every output.
import assert from 'node:assert/strict';
import { readTfjs } from '../../../src/formats/tfjs/index.ts';
import { writeTempModel } from '../../../src/formats/temp-model.ts';
import type { Model } from '../../../src/ir/graph.ts';
import type { InputShapes } from '../../../src/ir/input-shapes.ts';
import { liftTfjsOrThrow } from '../../../src/passes/lift-tfjs/index.ts';
import type { HostTensor } from '../../../src/runtimes/runtime.ts';
import { ortNodeRuntime } from '../../../src/runtimes/ort-node.ts';
import { tfjsRuntime } from '../../../src/runtimes/tfjs.ts';
import { compare, runFeeds } from '../../compile/parity.ts';
import { digitScenes } from '../../support/scenes.ts';

/** The handtrackjs detectors (TF Object Detection API SSD MobileNetV2 FPN-lite, exported for TF.js). */
export const handtrack = (variant: string) => `node_modules/handtrackjs/models/webmodel/${variant}/model.json`;

/** The signature outputs, as the Object Detection API names them (the export sorts them, giving Identity … Identity_7). */
export const SSD_OUTPUTS = {
  anchorIndices: 'Identity', boxes: 'Identity_1', classes: 'Identity_2', multiclassScores: 'Identity_3',
  scores: 'Identity_4', count: 'Identity_5', rawBoxes: 'Identity_6', rawScores: 'Identity_7',
} as const;

/** What one comparison measured. */
export interface DetectorParity {
  nodes: number;
  transposesInside: number;
  detections: number;
  /** PSNR (dB) per output compared as floats. */
  psnr: Record<string, number>;
}

/** A deterministic 'real-looking' uint8 picture (tinted MNIST digits on a gradient), NHWC. */
export function picture(h: number, w: number): HostTensor {
  return { dtype: 'uint8', dims: [1, h, w, 3], data: Uint8Array.from(digitScenes('eval', 1, h, w, (v) => Math.round(v), true)) };
}

/**
 * Lifts `path` (optionally with fixed input shapes), runs it in onnxruntime and the original in TF.js on `image`, and
 * asserts: the same outputs and dims; raw boxes/scores and post-NMS boxes/scores at PSNR ≥ 60 dB; the same number of
 * detections, and for each the same class and anchor.
 */
export async function checkDetector(path: string, image: HostTensor, inputShapes?: InputShapes): Promise<DetectorParity> {
  const { model, report } = liftTfjsOrThrow(await readTfjs(path), { inputShapes });
  assert.ok(report, 'a TF.js model is lifted');
  assert.deepEqual(model.graph.nodes.filter((n) => n.domain !== ''), [], 'only ONNX ops remain');
  const got = await runLifted(model, { input_tensor: image });
  const ref = await runFeeds(tfjsRuntime, path, { input_tensor: image });
  assert.deepEqual(Object.keys(got).sort(), Object.keys(ref).sort());
  for (const name of Object.keys(ref)) assert.deepEqual(got[name].dims, ref[name].dims, `dims of ${name}`);

  const values = (t: HostTensor) => Array.from(t.data as ArrayLike<number>, Number);
  const detections = values(ref[SSD_OUTPUTS.count])[0];
  assert.equal(values(got[SSD_OUTPUTS.count])[0], detections, 'num_detections');
  for (const key of ['classes', 'anchorIndices'] as const) {
    const name = SSD_OUTPUTS[key];
    assert.deepEqual(values(got[name]).slice(0, detections), values(ref[name]).slice(0, detections), `${key} (${name}) of the ${detections} detections`);
  }
  const psnr: Record<string, number> = {};
  for (const key of ['rawBoxes', 'rawScores', 'boxes', 'scores', 'multiclassScores'] as const) {
    const name = SSD_OUTPUTS[key];
    psnr[key] = compare(values(ref[name]), values(got[name])).psnr;
    assert.ok(psnr[key] >= 60, `${key} (${name}): ${psnr[key].toFixed(1)} dB`);
  }
  return { nodes: model.graph.nodes.length, transposesInside: report.transposes.inside, detections, psnr };
}

/** Runs a lifted model once in onnxruntime. */
export async function runLifted(model: Model, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const temp = await writeTempModel(model, 'lifted.onnx');
  try {
    return await runFeeds(ortNodeRuntime, temp.path, feeds);
  } finally {
    temp.dispose();
  }
}

/** One line for the test log. */
export function describeParity(name: string, p: DetectorParity): string {
  const dbs = Object.entries(p.psnr).map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(1) : '∞'} dB`).join(', ');
  return `${name}: ${p.nodes} ONNX nodes, ${p.transposesInside} Transposes inside, ${p.detections} detections; ${dbs}`;
}
