// The ondevice command as a user runs it: help, inspect, demo, and one-line failures on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help lists the commands', () => {
  const r = ondevice('--help');
  assert.equal(r.code, 0);
  for (const cmd of ['inspect', 'demo']) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
});

test('inspect --json describes the default model', () => {
  const r = ondevice('inspect', DEFAULT_MODEL.path, '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.format, 'onnx');
  assert.equal(s.inputs.length, 1);
  assert.deepEqual(s.inputs[0].shape.slice(1), [1, 28, 28]);
  assert.equal(s.outputs[0].shape.at(-1), 10);
  assert.ok(s.ops.Conv >= 2, 'LeNet-5 has two convolutions');
  assert.ok(s.parameters > 40_000 && s.parameters < 100_000, `LeNet-5 has ~60k parameters, got ${s.parameters}`);
});

test('inspect prints a table', () => {
  const r = ondevice('inspect', DEFAULT_MODEL.path);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Conv/);
  assert.match(r.stdout, /parameters/);
});

test('bad input: one line naming the file, non-zero exit, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-cli-'));
  try {
    const cases: [string, Uint8Array | string][] = [
      ['notes.txt', 'just some text, not a model\n'],
      ['truncated.onnx', new Uint8Array([0x08, 0x07, 0x12, 0x40, 0x61])],
    ];
    for (const [name, content] of cases) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const r = ondevice('inspect', file);
      assert.notEqual(r.code, 0, `${name} must fail`);
      const lines = r.stderr.trim().split('\n');
      assert.ok(lines[0].includes(file), `message names the file: ${r.stderr}`);
      assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);
    }
    const missing = ondevice('inspect', join(dir, 'missing.onnx'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /missing\.onnx/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cyclic graph is refused with one line naming the file and the node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-cli-'));
  try {
    // Make the real LeNet-5 cyclic: feed the last node's output back into the first node.
    const model = await readModel(DEFAULT_MODEL.path);
    const first = model.graph.nodes[0];
    const last = model.graph.nodes[model.graph.nodes.length - 1];
    first.inputs[0] = last.outputs[0];
    const file = join(dir, 'cyclic.onnx');
    await writeModel(model, file);
    const r = ondevice('inspect', file);
    assert.notEqual(r.code, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].includes(file) && /cycle/i.test(lines[0]), r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo runs the whole pipeline: int8 within 0.2 points of fp32 on all 10,000 MNIST test images, report written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-demo-'));
  try {
    const r = ondevice('demo', '-o', dir, '--runs', '50');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /10000 examples/);
    const top1 = (variant: string) => {
      const row = r.stdout.split('\n').find((l) => l.startsWith(`│ ${variant} `));
      assert.ok(row, `a table row for ${variant}:\n${r.stdout}`);
      const m = /([\d.]+)%\s*│\s*(ref|[+-][\d.]+)/.exec(row);
      assert.ok(m, row);
      return Number(m[1]);
    };
    const fp32 = top1('fp32');
    assert.ok(fp32 >= 99.0, `fp32 ${fp32}%`);
    for (const v of ['fp16', 'int8', 'w4']) assert.ok(fp32 - top1(v) <= (v === 'w4' ? 0.5 : 0.2), `${v}: ${top1(v)}% vs fp32 ${fp32}%`);
    for (const f of ['lenet5.fp32.onnx', 'lenet5.fp16.onnx', 'lenet5.int8.onnx', 'lenet5.w4.onnx', 'report.html']) {
      assert.ok(existsSync(join(dir, f)), `${f} written`);
    }
    // inspect shows how the int8 variant was made (its ondevice.quantization metadata).
    const shown = ondevice('inspect', join(dir, 'lenet5.int8.onnx'));
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /quantized by ondevice/);
    assert.match(shown.stdout, /scheme\s*│\s*w8a8/);
    assert.match(shown.stdout, /calibrationData\s*│\s*mnist train/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
