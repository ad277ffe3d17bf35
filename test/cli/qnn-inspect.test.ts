// `ondevice inspect MODEL --target qnn [--json]`: per-node placement table and counts; EPContext models reported, not refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { readModel } from '../../src/formats/registry.ts';
import { writeOnnx } from '../../src/formats/onnx/index.ts';
import { LENET } from '../evaluate/helpers.ts';
import { epContextModel } from '../compile/qnn-fixtures.ts';

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'ondevice-qnn-inspect-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('inspect --target qnn --json on quantize --target qnn output (symmetric and --asymmetric-weights)', async () => {
  const reports = [];
  for (const asym of [false, true]) {
    const out = join(dir, asym ? 'asym.onnx' : 'sym.onnx');
    const q = ondevice('quantize', LENET, '-o', out, '--scheme', 'w8a8', '--target', 'qnn', '--calibration', 'mnist:train', '--limit', '16', ...(asym ? ['--asymmetric-weights'] : []));
    assert.equal(q.code, 0, q.stderr);
    const r = ondevice('inspect', out, '--target', 'qnn', '--json');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    const model = await readModel(out);
    assert.equal(summary.qnn.nodes.length, model.graph.nodes.length);
    const { npu, cpu, folded, context } = summary.qnn.counts;
    assert.equal(npu + cpu + folded + context, model.graph.nodes.length);
    assert.match(summary.qnn.rules.onnxruntime, /[0-9a-f]{40}/);
    reports.push(summary.qnn);
  }
  const [sym, asym] = reports;
  // quantize keeps the batch dynamic: the report says so and names the fix.
  assert.ok(sym.reasons['dynamic-shape'] > 0);
  assert.ok(sym.nodes.some((n: { reasons: { fix: string }[] }) => n.reasons.some((x) => x.fix === 'fix with --input-shape')));
  assert.equal(sym.reasons['asymmetric-weights'], undefined);
  assert.ok(asym.reasons['asymmetric-weights'] >= 4, JSON.stringify(asym.reasons));
});

test('inspect --target qnn text: the per-node table, the counts and the fixes', () => {
  const r = ondevice('inspect', LENET, '--target', 'qnn');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /QNN placement \(ONNX Runtime QNN EP, HTP backend/);
  assert.match(r.stdout, /\/conv1\/Conv .* cpu /);
  assert.match(r.stdout, /quantize with compile --target qnn/);
  const counts = /(\d+) on NPU, (\d+) CPU fallback, (\d+) folded \(of (\d+) nodes\)/.exec(r.stdout);
  assert.ok(counts, r.stdout);
  assert.equal(Number(counts[1]) + Number(counts[2]) + Number(counts[3]), Number(counts[4]));
  assert.match(r.stdout, /not verified on a Snapdragon device/);
  // Without --target the placement is not computed.
  assert.doesNotMatch(ondevice('inspect', LENET).stdout, /QNN placement/);
});

test('inspect --target with an unknown target fails in one line', () => {
  const r = ondevice('inspect', LENET, '--target', 'coreml');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown target 'coreml' \(known: qnn, tflite\)/);
});

test('inspect reports an EPContext model (embedded and file context) instead of failing', async () => {
  const blob = new Uint8Array(4096).map((_, i) => (i * 13) & 255);
  const embedded = join(dir, 'ctx.onnx');
  await writeOnnx(epContextModel(true, blob), embedded);
  const text = ondevice('inspect', embedded);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /EPContext/);
  assert.match(text.stdout, /QNNExecutionProvider_QNN_0_0/);
  const json = JSON.parse(ondevice('inspect', embedded, '--json', '--target', 'qnn').stdout);
  assert.equal(json.epContexts[0].contextBytes, blob.length);
  assert.equal(json.epContexts[0].hardwareArchitecture, 'v73');
  assert.equal(json.qnn.counts.context, 1);
  const file = join(dir, 'ctx-file.onnx');
  await writeOnnx(epContextModel(false, blob), file);
  const j2 = JSON.parse(ondevice('inspect', file, '--json').stdout);
  assert.deepEqual([j2.epContexts[0].embedMode, j2.epContexts[0].contextFile], [0, 'model_ctx.bin']);
});

test('inspect --target qnn --input-shape places the model as compile would fix it: no dynamic-shape fallbacks left', () => {
  const open = JSON.parse(ondevice('inspect', LENET, '--target', 'qnn', '--json').stdout);
  const r = ondevice('inspect', LENET, '--target', 'qnn', '--json', '--input-shape', 'input=1,1,28,28');
  assert.equal(r.code, 0, r.stderr);
  const fixed = JSON.parse(r.stdout);
  assert.ok(open.qnn.reasons['dynamic-shape'] > 0, JSON.stringify(open.qnn.reasons));
  assert.equal(fixed.qnn.reasons['dynamic-shape'] ?? 0, 0, JSON.stringify(fixed.qnn.reasons));
  assert.equal(fixed.qnn.nodes.length, open.qnn.nodes.length);
  const misuse = ondevice('inspect', LENET, '--input-shape', 'input=1,1,28,28');
  assert.equal(misuse.code, 2);
  assert.equal(misuse.stderr.trim().split('\n').length, 1, misuse.stderr);
});
