// `ondevice inspect MODEL --target tflite [--json]`: per-op XNNPACK/GPU placement of a .tflite; ONNX is pointed at compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { readTfliteFile } from '../../src/formats/tflite/index.ts';
import { LENET } from '../evaluate/helpers.ts';

const SELFIE = join(PACKAGE_ROOT, 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite');

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('inspect --target tflite --json: one entry per operator with both delegates\' verdicts; text names the rules', () => {
  const r = ondevice('inspect', SELFIE, '--target', 'tflite', '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  const operators = readTfliteFile(SELFIE).subgraphs[0].operators.length;
  assert.equal(summary.tflite.target, 'tflite');
  assert.equal(summary.tflite.ops.length, operators);
  for (const d of ['xnnpack', 'gpu']) {
    assert.equal(summary.tflite.counts[d].delegated + summary.tflite.counts[d].cpu, operators);
    assert.ok(summary.tflite.ops.every((o: Record<string, { delegated: boolean; reasons: unknown[] }>) => typeof o[d].delegated === 'boolean' && Array.isArray(o[d].reasons)));
  }
  assert.match(summary.tflite.rules.litert, /[0-9a-f]{40}/);

  const text = ondevice('inspect', SELFIE, '--target', 'tflite');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /LiteRT delegate placement/);
  assert.match(text.stdout, /XNNPACK: \d+ of \d+ ops delegated/);
  assert.match(text.stdout, /not verified on a phone GPU/);
});

test('inspect --target tflite on an ONNX model says to compile it first', () => {
  const r = ondevice('inspect', LENET, '--target', 'tflite');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /reads \.tflite models.*compile it first with 'ondevice compile .* --target tflite/);
});
