// Shared option parsers: values must be whole numbers ('80abc' is not 80), and a bad one is a one-line usage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nonNegativeInt, port, positiveInt, positiveNumber } from '../../src/cli/options.ts';
import { UsageError } from '../../src/errors.ts';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('parsers accept whole numbers and reject trailing junk, empty values and out-of-range values', () => {
  assert.equal(positiveInt('runs')('200'), 200);
  assert.equal(nonNegativeInt('warmup')('0'), 0);
  assert.equal(positiveNumber('max-drop')('0.5'), 0.5);
  assert.equal(port()('0'), 0);
  assert.equal(port()('65535'), 65535);
  const rejects = (fn: (v: string) => number, v: string, flag: string) =>
    assert.throws(() => fn(v), (e: unknown) => e instanceof UsageError && e.message.includes(`--${flag} must be`) && e.message.includes(`'${v}'`), `${flag} ${v}`);
  for (const v of ['80abc', '', ' ', '0', '-1', '1.5']) rejects(positiveInt('runs'), v, 'runs');
  for (const v of ['80abc', '-1', '']) rejects(nonNegativeInt('warmup'), v, 'warmup');
  for (const v of ['80abc', '0', '-2', 'Infinity', '']) rejects(positiveNumber('min-psnr'), v, 'min-psnr');
  for (const v of ['80abc', '65536', '-1', '80.5', '']) rejects(port(), v, 'port');
});

test('--runs 80abc, --port 80abc and --top-k 3x are one-line usage errors (exit 2)', () => {
  for (const [args, message] of [
    [['demo', '--runs', '80abc'], "--runs must be a positive integer, got '80abc' (see 'ondevice demo --help')"],
    [['serve', '.', '--port', '80abc'], "--port must be a port number 0–65535, got '80abc' (see 'ondevice serve --help')"],
    [['deploy', 'web', '-o', 'never-written', '--top-k', '3x'], "--top-k must be a positive integer, got '3x' (see 'ondevice deploy web --help')"],
    [['compile', DEFAULT_MODEL.path, '-o', 'never-written.tflite', '--limit', '10k'], "--limit must be a positive integer, got '10k' (see 'ondevice compile --help')"],
    [['evaluate', DEFAULT_MODEL.path, DEFAULT_MODEL.path, '--data', 'mnist:test', '--batch', '8x'], "--batch must be a positive integer, got '8x' (see 'ondevice evaluate --help')"],
  ] as const) {
    const r = ondevice(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `ondevice: ${message}\n`);
    assert.equal(r.stdout, '');
  }
});
