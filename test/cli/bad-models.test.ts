// The CLI on the tester's broken models: one `ondevice:` line naming the file, node or input, never "internal error" (STRING bias, a dim of 2^31−1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOnnx } from '../../src/formats/onnx/index.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'ondevice.js');
const ondevice = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('compile --target tflite of a LeNet with a STRING bias: exit 1, one line naming the file and the node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-cli-bad-'));
  try {
    const model = decodeOnnx(readFileSync(DEFAULT_MODEL.path), DEFAULT_MODEL.path);
    const bias = model.graph.initializers.get('conv1.bias')!;
    bias.dtype = 'string';
    bias.data = { kind: 'strings', values: Array.from({ length: bias.dims[0] }, () => new TextEncoder().encode('b')) };
    const file = join(dir, 'string-bias.onnx');
    await writeModel(model, file);
    const r = ondevice(['compile', file, '--target', 'tflite', '-o', join(dir, 'out.tflite')]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^ondevice: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: invalid graph: node '/conv1/Conv': Conv: input 2 \\('conv1\\.bias'\\) is string`));
    assert.doesNotMatch(r.stderr, /internal error/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('quantize --calibration random of a model whose input has a dim of 2^31−1: exit 2, one line naming the input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-cli-bad-'));
  try {
    const b = new ModelBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['N', 3, 1, 2 ** 31 - 1]);
    b.output(b.op('GlobalAveragePool', [x], {}, { name: 'gap' }));
    const file = join(dir, 'wide.onnx');
    await writeModel(b.build({ inferOutputs: false }), file);
    const r = ondevice(['quantize', file, '-o', join(dir, 'q.onnx'), '--scheme', 'w8a8', '--calibration', 'random', '--limit', '2']);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('warning:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^ondevice: random data for input 'x': float32\[3,1,2147483647\] needs 24\.0 GiB, over the 2\.0 GiB limit for one tensor/);
    assert.doesNotMatch(r.stderr, /internal error|RangeError|Array buffer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
