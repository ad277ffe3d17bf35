// `ondevice evaluate` as a user runs it: JSON figures, the table, --per-layer, --report, and one-line failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { LENET, tempDir, writeRoundedLenet } from './helpers.ts';

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('evaluate --json: a copy passes with infinite PSNR, a 3-bit-conv candidate has finite PSNR', async () => {
  const t = tempDir();
  try {
    const copy = join(t.dir, 'copy.onnx'), rounded = join(t.dir, 'conv3.onnx');
    copyFileSync(LENET, copy);
    await writeRoundedLenet(rounded, 3);
    const r = ondevice('evaluate', LENET, copy, rounded, '--data', 'mnist:test', '--limit', '300', '--json');
    const out = JSON.parse(r.stdout);
    assert.equal(out.examples, 300);
    assert.equal(out.candidates.length, 2);
    assert.equal(out.candidates[0].fidelity[0].psnr, 'Infinity');
    assert.equal(out.verdicts[0].level, 'pass');
    const psnr = out.candidates[1].fidelity[0].psnr;
    assert.equal(typeof psnr, 'number');
    assert.ok(psnr > 0);
    // Exit codes are documented literals: 3 for a failed verdict, 0 when every candidate passes or warns.
    assert.equal(r.code, out.verdicts.some((v: { level: string }) => v.level === 'fail') ? 3 : 0, r.stderr);
  } finally {
    t.dispose();
  }
});

test('evaluate prints the table and the per-layer ranking, and --report writes the HTML report', () => {
  const t = tempDir();
  try {
    const copy = join(t.dir, 'copy.onnx');
    copyFileSync(LENET, copy);
    const r = ondevice('evaluate', LENET, copy, '--data', 'mnist:test', '--limit', '100', '--per-layer', '--report', join(t.dir, 'r.html'));
    assert.equal(r.code, 0, r.stderr);
    for (const h of ['top-1', 'PSNR', 'SQNR', 'cosine', 'max abs err', 'top-1 agree', 'verdict', 'per-layer SQNR', 'layers that lose the most']) assert.ok(r.stdout.includes(h), h);
    assert.match(r.stdout, /copy\.onnx.*inf.*pass/);
    assert.match(r.stderr, /wrote .*r\.html/);
    const html = readFileSync(join(t.dir, 'r.html'), 'utf8');
    assert.ok(html.includes('copy.onnx') && html.includes('<svg'), 'the report names the candidate and has charts');
    assert.ok(html.includes('/conv1/Conv'), 'the per-layer chart names the layers');
  } finally {
    t.dispose();
  }
});

test('a missing candidate fails with one line naming it', () => {
  const r = ondevice('evaluate', LENET, '/nonexistent/cand.onnx', '--data', 'mnist:test', '--limit', '10');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cand\.onnx/);
  assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
});
