// openDataSource's purpose names the data in warnings and errors: calibration (the default) or evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { openDataSource } from '../../src/data/open-source.ts';
import { RANDOM_DATA_WARNING, RANDOM_DATA_WARNINGS } from '../../src/data/random.ts';
import { UsageError } from '../../src/errors.ts';
import type { IoInfo } from '../../src/runtimes/runtime.ts';

const inputs: IoInfo[] = [{ name: 'input', dtype: 'float32', shape: ['N', 1, 28, 28] }];

test('a misfit is "evaluation data" when evaluating and "calibration data" by default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-purpose-'));
  try {
    const flat = join(dir, 'flat.npy');
    writeFileSync(flat, encodeNpy({ dtype: 'float32', dims: [2, 28, 28], data: new Float32Array(2 * 784) }));
    await assert.rejects(openDataSource(flat, inputs, { purpose: 'evaluation' }),
      (e: unknown) => e instanceof UsageError && e.message.startsWith('evaluation data does not fit the model:') && e.file === flat);
    await assert.rejects(openDataSource(flat, inputs),
      (e: unknown) => e instanceof UsageError && e.message.startsWith('calibration data does not fit the model:'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('random data warns about evaluating or calibrating, once per purpose', async (t) => {
  const warnings: string[] = [];
  t.mock.method(console, 'warn', (msg: string) => warnings.push(msg));
  const evaluation = await openDataSource('random', inputs, { purpose: 'evaluation', random: { count: 4 } });
  assert.equal(evaluation.warning, RANDOM_DATA_WARNINGS.evaluation);
  assert.match(evaluation.warning!, /^evaluating on random data/);
  const calibration = await openDataSource('random', inputs, { random: { count: 4 } });
  assert.equal(calibration.warning, RANDOM_DATA_WARNING);
  await openDataSource('random', inputs, { purpose: 'evaluation', random: { count: 4 } });
  assert.deepEqual(warnings, [`warning: ${RANDOM_DATA_WARNINGS.evaluation}`, `warning: ${RANDOM_DATA_WARNING}`]);
});
