// evaluate accepts .tflite candidates through the LiteRT runtime, even though they are compiled for batch 1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../src/compile/compile.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { evaluateModels } from '../../src/evaluate/compare.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { closeLiteRt } from '../../src/runtimes/litert.ts';

after(() => closeLiteRt());

test('LeNet-5 .tflite (batch 1) evaluated in batches of 100 against the ONNX reference', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-eval-'));
  try {
    const tflite = join(dir, 'lenet5.tflite');
    await compileFile(DEFAULT_MODEL.path, tflite, { target: 'tflite' });
    const ev = await evaluateModels(DEFAULT_MODEL.path, [tflite], mnistSource('test'), { limit: 300, batchSize: 100 });
    const [cand] = ev.candidates;
    assert.equal(cand.runtime, 'litert');
    assert.equal(ev.examples, 300);
    assert.equal(cand.accuracy!.count, 300, 'every example ran through the batch-1 model');
    assert.equal(cand.accuracy!.top1, ev.reference.accuracy!.top1);
    for (const f of cand.fidelity!) assert.ok(f.maxAbsError <= 1e-4, `${f.output}: max abs error ${f.maxAbsError}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
