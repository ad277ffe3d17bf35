// The LiteRT browser never keeps a process alive: a script that forgets to release its session still exits, browser closed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { denseModel } from './litert-model.ts';

const litert = fileURLToPath(new URL('../../src/runtimes/litert.ts', import.meta.url));

test('a process that never releases its LiteRT session exits on its own once idle', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-litert-life-'));
  try {
    const model = join(dir, 'dense.tflite');
    writeFileSync(model, denseModel());
    const script = join(dir, 'forget.mts');
    writeFileSync(script, `
      import { litertRuntime } from ${JSON.stringify(litert)};
      const s = await litertRuntime.load(${JSON.stringify(model)});
      const r = await s.run({ x: { dtype: 'float32', dims: [1, 4], data: new Float32Array([1, 2, 3, 4]) }, y: { dtype: 'float32', dims: [1, 3], data: new Float32Array(3) } });
      console.log(JSON.stringify(Array.from(r.h.data)));
    `);
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, ONDEVICE_LITERT_IDLE_MS: '300' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('exit', (c) => {
        clearTimeout(kill);
        resolve(c);
      });
    });
    assert.equal(code, 0, `exit ${code} after ${Math.round(performance.now() - started)} ms; stderr: ${err}`);
    const h = JSON.parse(out.trim()) as number[];
    assert.ok(Math.abs(h[0] - 5.6) < 1e-5, `h = ${h}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
