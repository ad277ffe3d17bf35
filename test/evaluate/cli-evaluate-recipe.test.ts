// `ondevice evaluate` finds preprocess.json beside the reference, as quantize does, and names evaluation data as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadMnist } from '../../src/data/mnist.ts';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { LENET, tempDir } from './helpers.ts';

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('evaluate models/lenet5/lenet5.onnx COPY --data <image folder> uses models/lenet5/preprocess.json', async () => {
  const t = tempDir();
  try {
    const images = join(t.dir, 'digits');
    mkdirSync(images);
    const digits = loadMnist('test', { limit: 8 });
    for (let i = 0; i < 8; i++) {
      await sharp(Buffer.from(digits.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(images, `${i}.png`));
    }
    const copy = join(t.dir, 'copy.onnx');
    copyFileSync(LENET, copy);
    const r = ondevice('evaluate', LENET, copy, '--data', images, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.examples, 8);
    assert.equal(out.candidates[0].fidelity[0].psnr, 'Infinity');
  } finally {
    t.dispose();
  }
});

test('evaluate: data that does not fit is called evaluation data, random data warns about evaluating', () => {
  const t = tempDir();
  try {
    const flat = join(t.dir, 'flat.npy');
    writeFileSync(flat, encodeNpy({ dtype: 'float32', dims: [2, 28, 28], data: new Float32Array(2 * 784) }));
    const bad = ondevice('evaluate', LENET, LENET, '--data', flat);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /evaluation data does not fit the model/);
    assert.doesNotMatch(bad.stderr, /calibrat/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    const random = ondevice('evaluate', LENET, LENET, '--data', 'random', '--json');
    assert.match(random.stderr, /evaluating on random data/);
    assert.doesNotMatch(random.stderr, /calibrat/);
  } finally {
    t.dispose();
  }
});
