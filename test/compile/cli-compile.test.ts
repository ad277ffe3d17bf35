// `ondevice compile` end to end: writes a .tflite and reports transposes; an unmappable op is one error line and no file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const cli = (args: string[]) => spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/ondevice.js'), ...args], { encoding: 'utf8' });

test('compile --target tflite writes the file and reports ops, transposes and sizes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-cli-compile-'));
  try {
    const out = join(dir, 'lenet.tflite');
    const r = cli(['compile', join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx'), '--target', 'tflite', '-o', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.transposes, { boundary: 1, inner: 0 });
    assert.equal(report.ops.CONV_2D, 2);
    assert.ok(existsSync(out));
    assert.equal(report.outputBytes, statSync(out).size);
    // A float32 .tflite holds LeNet-5's weights (conv 6·1·5·5, 16·6·5·5; fc 120·400, 84·120, 10·84) and biases at 4 bytes
    // each (BatchNorm folded into the convs), plus under 4 KB of flatbuffer tables, names and the input TRANSPOSE's permutation.
    const params = 4 * (6 * 25 + 16 * 6 * 25 + 120 * 400 + 84 * 120 + 10 * 84 + (6 + 16 + 120 + 84 + 10));
    assert.ok(report.outputBytes >= params && report.outputBytes <= params + 4096, `${report.outputBytes} bytes for ${params} bytes of parameters`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unmappable op fails with one line naming the node, exit code 1, and no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-cli-compile-'));
  try {
    const b = new ModelBuilder({ opset: 13 });
    const x = b.input('x', 'float32', [1, 8]);
    b.output(b.op('Hardmax', [x], {}, { name: 'e1', output: 'y' }), 'float32', [1, 8]);
    const src = join(dir, 'bad.onnx');
    await writeModel(b.build({ inferOutputs: false }), src);
    const out = join(dir, 'bad.tflite');
    const r = cli(['compile', src, '-o', out]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /node 'e1' \(Hardmax\): no TFLite mapping/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(out), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
