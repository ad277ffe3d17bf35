// Input dims of 2^31−1, 2^28, 2^25 (2.5 GiB) or -1 give a one-line UsageError naming the input before random calibration data is allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { randomSource } from '../../src/data/random.ts';
import { UsageError } from '../../src/errors.ts';
import { readVerifiedModel } from '../../src/formats/read-verified.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';

/** x[N,10,1,W] → GlobalAveragePool → y: every W passes the verifier, so only the data allocation can object. */
async function poolModel(dir: string, width: number): Promise<string> {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', ['N', 10, 1, width]);
  b.output(b.op('GlobalAveragePool', [x], {}, { name: 'gap' }));
  const path = join(dir, `w${width}.onnx`);
  await writeModel(b.build({ inferOutputs: false }), path);
  return path;
}

/** What `ondevice quantize FILE --scheme w8a8 --calibration random --limit 2` does with the model. */
async function quantizeWithRandomData(file: string): Promise<unknown> {
  const { model } = await readVerifiedModel(file);
  const source = randomSource(modelInputs(model), { count: 2 });
  return quantizeModel(model, { scheme: 'w8a8', calibration: { source, limit: 2 } });
}

test('input dims of 2^31−1, 2^28 and 2^25 are refused before random calibration data is allocated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-dims-'));
  try {
    for (const width of [2 ** 31 - 1, 2 ** 28, 2 ** 25]) {
      const file = await poolModel(dir, width);
      const before = process.resourceUsage().maxRSS;
      await assert.rejects(quantizeWithRandomData(file), (e: unknown) => {
        assert.ok(e instanceof UsageError, `${width}: ${e instanceof Error ? e.stack : String(e)}`);
        assert.ok(!String(e).includes('\n'));
        assert.match(e.message, new RegExp(`^random data for input 'x': float32\\[10,1,${width}\\](?: × 2 examples)? needs [\\d.]+ [GT]iB, over the 2\\.0 GiB limit for one tensor$`));
        return true;
      });
      const grewMiB = (process.resourceUsage().maxRSS - before) / 1024;
      assert.ok(grewMiB < 256, `${width}: peak RSS grew by ${grewMiB.toFixed(0)} MiB before the error`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an input dim of -1 is an unknown dim: random data asks for fixed dims instead of allocating a negative size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-dims-'));
  try {
    await assert.rejects(quantizeWithRandomData(await poolModel(dir, -1)), (e: unknown) => {
      assert.ok(e instanceof UsageError, e instanceof Error ? e.stack : String(e));
      assert.match(e.message, /^random data needs fixed dims after the batch dim; input 'x' has \[N,10,1,\?\]$/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
