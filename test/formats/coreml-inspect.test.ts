// `ondevice inspect Model.mlpackage [--json]` through the CLI: I/O as apps see it, spec version and iOS, opset, ops, weights, problems.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { writeCoreMlPackage } from '../../src/formats/coreml/write.ts';
import type { MilTensorValue, MilValue } from '../../src/formats/coreml/program.ts';
import { buildModel } from './coreml-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-coreml-inspect-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('inspect --json and text on a written package', async () => {
  const model = buildModel(18);
  const out = join(dir, 'Model.mlpackage');
  await writeCoreMlPackage(model, out);
  const r = ondevice('inspect', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.format, 'coreml');
  const ops = model.program.functions.main.operations;
  const hist: Record<string, number> = {};
  for (const op of ops) hist[op.type] = (hist[op.type] ?? 0) + 1;
  assert.deepEqual(s.ops, hist);
  assert.equal(s.nodeCount, ops.length);
  assert.equal(s.coreml.specificationVersion, 9);
  assert.equal(s.coreml.ios, 18);
  assert.deepEqual(s.coreml.opsets, { main: 'CoreML8' });
  assert.deepEqual(s.coreml.problems, []);
  assert.deepEqual(s.warnings, []);
  assert.deepEqual(s.inputs, [{ name: 'image', dtype: 'image RGB', shape: [8, 8] }]);
  assert.deepEqual(s.outputs.map((o: { name: string; dtype: string }) => [o.name, o.dtype]), [['logits', 'float32'], ['classLabel', 'string'], ['classLabel_probs', 'dictionary<string, double>']]);
  // Weight bytes by dtype and storage, recomputed from the fixture with coremltools' rule (10+ elements → weight.bin).
  const tensors: MilTensorValue[] = [];
  const walk = (v: MilValue) => ('items' in v ? v.items.forEach(walk) : tensors.push(v));
  for (const op of ops) {
    for (const bs of Object.values(op.inputs)) for (const b of bs) if ('value' in b) walk(b.value);
    for (const v of Object.values(op.attributes)) walk(v);
  }
  const bits: Record<string, number> = { fp32: 32, fp16: 16, int32: 32, int8: 8, uint8: 8, int4: 4, uint4: 4 };
  const expected: Record<string, number> = {};
  for (const t of tensors.filter((x) => x.type.dtype !== 'string')) {
    const key = `${t.type.dtype}/${t.data.length >= 10 ? 'blob' : 'immediate'}`;
    expected[key] = (expected[key] ?? 0) + Math.ceil((t.data.length * bits[t.type.dtype]) / 8);
  }
  assert.deepEqual(Object.fromEntries(s.coreml.weights.map((w: { dtype: string; storage: string; bytes: number }) => [`${w.dtype}/${w.storage}`, w.bytes])), expected);

  const text = ondevice('inspect', out);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Core ML specification 9 \(iOS 18\+\), ML Program opset CoreML8; 19 operations/);
  assert.match(text.stdout, /classifier: label in 'classLabel', probabilities in 'classLabel_probs'/);
  assert.match(text.stdout, /int4\s+│ weight\.bin │\s+1 │\s+1,440 │\s+720 B/);
  assert.match(text.stdout, /validator: no problems found/);
});

test('inspect lists the validator\'s problems, and a corrupt package fails on one line naming the file', async () => {
  const model = buildModel(16);
  model.description.inputs[0].type = { kind: 'image', width: 8, height: 8, colorSpace: 'GRAYSCALE' };
  const out = join(dir, 'Gray.mlpackage');
  await writeCoreMlPackage(model, out);
  const r = ondevice('inspect', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /validator: 1 problem/);
  assert.match(r.stdout, /warning: Core ML validator: description input 'image': a 8×8 GRAYSCALE image must be fp32\[1, 1, 8, 8\]/);

  writeFileSync(join(out, 'Data/com.apple.CoreML/model.mlmodel'), Buffer.from([0x0a, 0xff, 0xff, 0x07]));
  const bad = ondevice('inspect', out);
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /model\.mlmodel: coreml: not a Core ML model file/);
});
