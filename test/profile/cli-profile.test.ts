// `ondevice profile` end to end: --json parses to the documented fields; bad input is one line with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/ondevice.js', ...args], { cwd: root, encoding: 'utf8' });

test('ondevice profile --json prints the documented fields', () => {
  const r = cli('profile', 'models/lenet5/lenet5.onnx', '--runs', '12', '--warmup', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.runs, 12);
  assert.equal(j.samplesMs.length, 12);
  const doc = readFileSync(`${root}docs/profile-json.md`, 'utf8');
  for (const key of Object.keys(j)) assert.ok(doc.includes(`\`${key}`), `docs/profile-json.md documents ${key}`);
  for (const key of Object.keys(j.latencyMs)) assert.ok(doc.includes(key), key);
  assert.ok(j.opTimes.byOp.length > 0);
});

test('ondevice profile: table output, and bad input is one clear line', () => {
  const ok = cli('profile', 'models/lenet5/lenet5.onnx', '--runs', '5', '--no-per-op');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /latency p99/);
  for (const [args, message] of [
    [['--runtime', 'tpu'], /unknown runtime 'tpu' \(known: ort-node, ort-web-wasm\b/],
    [['--input-shape', 'input=1,1,bad'], /--input-shape expects NAME=D1,D2/],
    [['--runs', 'many'], /--runs must be/],
  ] as const) {
    const r = cli('profile', 'models/lenet5/lenet5.onnx', ...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
