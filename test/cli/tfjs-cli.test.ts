// The commands on TF.js layers models (esrgan-slim, nsfwjs) as a user runs them: inspect, compile (and --outputs), evaluate, quantize, deploy web, errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { readModel } from '../../src/formats/registry.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { tfjsRuntime } from '../../src/runtimes/tfjs.ts';
import { materialiseNsfwjs } from '../tfjs/nsfwjs.ts';
import { ESRGAN_X2, images, inspectFailures, ondevice, psnr, run } from './tfjs-helpers.ts';

let work: string;
let nsfwjs: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-tfjs-cli-'));
  nsfwjs = materialiseNsfwjs();
});
after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(dirname(nsfwjs), { recursive: true, force: true });
});

test('inspect shows kind, converter, weight storage and the layer histogram of layers models', () => {
  assert.deepEqual(inspectFailures([ESRGAN_X2, nsfwjs]), []);
  const text = ondevice('inspect', ESRGAN_X2);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /TF\.js layers-model, converted by TensorFlow\.js Converter .*; weights: \d+ float32 in 1 shard/);
});

let x2Compiled: { path: string; report: { lift: { from: string; transposes: { inside: number } } } } | undefined;
/** esrgan-slim x2 compiled to ONNX for 32×32 inputs by the CLI, once for the tests that use it. */
function compiledX2() {
  if (x2Compiled) return x2Compiled;
  const path = join(work, 'x2.onnx');
  const r = ondevice('compile', ESRGAN_X2, '--target', 'onnx', '--input-shape', 'LR=1,32,32,3', '-o', path, '--json');
  assert.equal(r.code, 0, r.stderr);
  return (x2Compiled = { path, report: JSON.parse(r.stdout) });
}

test('compile --target onnx: esrgan-slim x2 matches TF.js ≥ 60 dB, NHWC I/O with transposes only at the boundary', async () => {
  const { path: out, report } = compiledX2();
  assert.equal(report.lift.from, 'tfjs');
  assert.equal(report.lift.transposes.inside, 0, JSON.stringify(report.lift));
  const model = await readModel(out);
  assert.ok(!model.graph.nodes.some((n) => n.domain === 'ai.keras'), 'no Keras node left');
  const lr = images(1, 32, 32);
  const [want, got] = [await run(tfjsRuntime, ESRGAN_X2, { LR: lr }), await run(ortNodeRuntime, out, { LR: lr })];
  assert.deepEqual(got.SR.dims, [1, 64, 64, 3]);
  const db = psnr(want.SR, got.SR);
  assert.ok(db >= 60, `esrgan x2 ONNX vs TF.js: ${db.toFixed(1)} dB`);
});

test('compile --target tflite keeps the model.json\'s NHWC I/O with no TRANSPOSE and matches TF.js ≥ 60 dB in LiteRT.js', () => {
  const out = join(work, 'x2.tflite'), data = join(work, 'lr-tflite.npy');
  const r = ondevice('compile', ESRGAN_X2, '--target', 'tflite', '--input-shape', 'LR=1,32,32,3', '-o', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).transposes, { boundary: 0, inner: 0 });
  writeFileSync(data, encodeNpy(images(2, 32, 32)));
  const ev = ondevice('evaluate', ESRGAN_X2, out, '--data', data, '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const psnr = Number(JSON.parse(ev.stdout).candidates[0].fidelity[0].psnr);
  assert.ok(psnr >= 60, `esrgan x2 .tflite (LiteRT.js) vs TF.js: ${psnr.toFixed(1)} dB`);
});

test('compile --outputs keeps a chosen inner value and prunes the rest; it matches TF.js fetching the same value', async () => {
  const full = join(work, 'x2-full.onnx'), cut = join(work, 'x2-cut.onnx');
  for (const [file, extra] of [[full, []], [cut, ['--outputs', 'F_m1']]] as const) {
    const r = ondevice('compile', ESRGAN_X2, '--target', 'onnx', '--input-shape', 'LR=1,24,24,3', '-o', file, ...extra);
    assert.equal(r.code, 0, r.stderr);
  }
  const [whole, pruned] = [await readModel(full), await readModel(cut)];
  assert.deepEqual(pruned.graph.outputs.map((o) => o.name), ['F_m1']);
  assert.ok(pruned.graph.nodes.length < whole.graph.nodes.length / 4, `${pruned.graph.nodes.length} nodes of ${whole.graph.nodes.length}`);
  const lr = images(1, 24, 24);
  const want = await run(tfjsRuntime, ESRGAN_X2, { LR: lr }, ['F_m1']);
  const got = await run(ortNodeRuntime, cut, { LR: lr });
  assert.ok(psnr(want.F_m1, got.F_m1) >= 60, `F_m1: ${psnr(want.F_m1, got.F_m1).toFixed(1)} dB`);
  // evaluate --outputs compares the pruned model with the same inner value of the full model.json.
  const data = join(work, 'lr24.npy');
  writeFileSync(data, encodeNpy(lr));
  const ev = ondevice('evaluate', ESRGAN_X2, cut, '--data', data, '--outputs', 'F_m1', '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const fidelity = JSON.parse(ev.stdout).candidates[0].fidelity;
  assert.deepEqual(fidelity.map((f: { output: string }) => f.output), ['F_m1']);
  assert.ok(Number(fidelity[0].psnr) >= 60, JSON.stringify(fidelity));
  const missing = ondevice('evaluate', ESRGAN_X2, cut, '--data', data, '--outputs', 'F_m1,SR');
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /x2-cut\.onnx: no output 'SR'/);
});

test('evaluate takes the model.json as the reference (run in TF.js); quantize w8a8 on real-looking data', () => {
  const onnx = compiledX2().path, q = join(work, 'x2-w8a8.onnx'), data = join(work, 'lr.npy');
  writeFileSync(data, encodeNpy(images(4, 32, 32)));
  const ev = ondevice('evaluate', ESRGAN_X2, onnx, '--data', data, '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const result = JSON.parse(ev.stdout);
  assert.equal(result.reference.runtime, 'tfjs');
  assert.equal(result.reference.runtimeInfo.engine, 'TensorFlow.js');
  assert.ok(result.reference.sizeBytes > readFileSync(ESRGAN_X2).length, 'the size counts the weight shards');
  assert.ok(result.candidates[0].fidelity[0].psnr >= 60, JSON.stringify(result.candidates[0].fidelity));
  const qr = ondevice('quantize', ESRGAN_X2, '-o', q, '--scheme', 'w8a8', '--calibration', data, '--input-shape', 'LR=1,32,32,3');
  assert.equal(qr.code, 0, qr.stderr);
  const qev = ondevice('evaluate', ESRGAN_X2, q, '--data', data, '--json');
  assert.ok(qev.code === 0 || qev.code === 3, qev.stderr);
  const qpsnr = Number(JSON.parse(qev.stdout).candidates[0].fidelity[0].psnr);
  assert.ok(qpsnr >= 25 && qpsnr < 60, `w8a8 esrgan vs TF.js: ${qpsnr.toFixed(1)} dB`);
});

test('deploy web compiles a model.json to ONNX first (nsfwjs MobileNetV2 with an NHWC recipe)', () => {
  const dir = dirname(nsfwjs);
  writeFileSync(join(dir, 'model.preprocess.json'), JSON.stringify({ input: 'input_1', layout: 'NHWC', size: [224, 224], channels: 'RGB', scale: 1 / 255, mean: [0], std: [1] }));
  writeFileSync(join(dir, 'labels.txt'), 'Drawing\nHentai\nNeutral\nPorn\nSexy\n');
  const out = join(work, 'site');
  const r = ondevice('deploy', 'web', nsfwjs, '-o', out, '--labels', join(dir, 'labels.txt'), '--no-webgpu');
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(config.format, 'onnx');
  assert.match(config.model, /\.onnx$/);
  assert.ok(existsSync(join(out, config.model)));
});

test('errors are one line with a non-zero exit: a missing shard names the model.json, a bad --outputs lists valid names', () => {
  const dir = join(work, 'no-shard');
  mkdirSync(dir);
  const file = join(dir, 'model.json');
  copyFileSync(ESRGAN_X2, file);
  for (const args of [['inspect', file], ['compile', file, '--target', 'onnx', '-o', join(dir, 'x.onnx')]]) {
    const r = ondevice(...args);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /model\.json/);
    assert.match(r.stderr, /group1-shard1of1\.bin/);
    assert.ok(!existsSync(join(dir, 'x.onnx')));
  }
  const bad = ondevice('compile', ESRGAN_X2, '--target', 'onnx', '--input-shape', 'LR=1,8,8,3', '--outputs', 'SR,no_such_layer', '-o', join(work, 'bad.onnx'));
  assert.equal(bad.code, 2, bad.stderr);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /no_such_layer/);
  assert.match(bad.stderr, /F_m1|SR/, 'names some values the graph has');
  const badShape = ondevice('compile', ESRGAN_X2, '--target', 'onnx', '--input-shape', 'LR=1,8,8,4', '-o', join(work, 'bad.onnx'));
  assert.equal(badShape.code, 2, badShape.stderr);
  assert.match(badShape.stderr, /LR/);
  assert.ok(!existsSync(join(work, 'bad.onnx')));
  // TFLite needs static shapes: the missing ones are asked for in the model.json's (NHWC) layout.
  const open = ondevice('compile', ESRGAN_X2, '--target', 'tflite', '-o', join(work, 'open.tflite'));
  assert.equal(open.code, 2, open.stderr);
  assert.match(open.stderr, /--input-shape LR=1,N,N,3/);
});
