// The commands on the public TF.js graph models (handtrackjs' SSD MobileNetV2 FPN-lite: float32, float16 and uint8 weights).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { tfjsRuntime } from '../../src/runtimes/tfjs.ts';
import { HANDTRACK, images, inspectFailures, ondevice, psnr, run } from './tfjs-helpers.ts';

test('inspect shows kind, converter, weight storage and the op histogram of the graph models', () => {
  assert.deepEqual(inspectFailures(['base', 'fp16', 'int8'].map((v) => join(HANDTRACK, v, 'model.json'))), []);
});

test('compile --outputs on the handtrackjs SSD: the raw heads without the NMS post-processing, matching TF.js ≥ 60 dB', async () => {
  const file = join(HANDTRACK, 'base/model.json');
  const work = mkdtempSync(join(tmpdir(), 'ondevice-tfjs-graph-cli-'));
  const out = join(work, 'ssd-heads.onnx');
  try {
    await compileAndCompareHeads(file, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

async function compileAndCompareHeads(file: string, out: string): Promise<void> {
  const r = ondevice('compile', file, '--target', 'onnx', '--input-shape', 'input_tensor=1,320,320,3', '--outputs', 'Identity_6,Identity_7', '-o', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(!Object.keys(report.ops).some((op) => /NonMaxSuppression/.test(op)), `no NMS left: ${Object.keys(report.ops).join(', ')}`);
  const image = images(1, 320, 320, true);
  const want = await run(tfjsRuntime, file, { input_tensor: image }, ['Identity_6', 'Identity_7']);
  const got = await run(ortNodeRuntime, out, { input_tensor: image });
  for (const name of ['Identity_6', 'Identity_7']) assert.ok(psnr(want[name], got[name]) >= 60, `${name}: ${psnr(want[name], got[name]).toFixed(1)} dB`);
}

test('compile the whole SSD (while loop, NMS) to ONNX; evaluate takes the model.json as the reference: every output ≥ 60 dB', () => {
  const work = mkdtempSync(join(tmpdir(), 'ondevice-tfjs-graph-cli-'));
  try {
    const file = join(HANDTRACK, 'base/model.json'), out = join(work, 'ssd.onnx'), data = join(work, 'images.npy');
    const c = ondevice('compile', file, '--target', 'onnx', '--input-shape', 'input_tensor=1,320,320,3', '-o', out);
    assert.equal(c.code, 0, c.stderr);
    writeFileSync(data, encodeNpy(images(2, 320, 320, true)));
    const ev = ondevice('evaluate', file, out, '--data', data, '--json');
    assert.equal(ev.code, 0, ev.stderr);
    const result = JSON.parse(ev.stdout);
    assert.equal(result.reference.runtime, 'tfjs');
    const fidelity = result.candidates[0].fidelity as { output: string; psnr: number | string }[];
    assert.equal(fidelity.length, 8, 'all eight signature outputs compared');
    for (const f of fidelity) assert.ok(Number(f.psnr) >= 60, `${f.output}: ${f.psnr} dB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
