// Profiling inputs are bounded before allocation: a dim of 2^31−1 or -1, or 2.5 GiB from 2^25, is a one-line UsageError naming the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.ts';
import { synthesizeInputs } from '../../src/profile/inputs.ts';

test('declared dims that are not sizes or need more than 2 GiB are refused naming the input', () => {
  const cases: [number[], RegExp][] = [
    [[1, 10, 1, 2 ** 31 - 1], /float32\[1,10,1,2147483647\] needs 80\.0 GiB, over the 2\.0 GiB limit/],
    [[1, 20, 1, 2 ** 25], /float32\[1,20,1,33554432\] needs 2\.5 GiB, over the 2\.0 GiB limit/],
    [[1, 10, -1, 8], /dim -1 in \[1,10,-1,8\] is not a size/],
  ];
  for (const [shape, pattern] of cases) {
    const before = process.resourceUsage().maxRSS;
    assert.throws(() => synthesizeInputs([{ name: 'x', dtype: 'float32', shape }]), (e: unknown) => {
      assert.ok(e instanceof UsageError, e instanceof Error ? e.stack : String(e));
      assert.match(e.message, /^cannot synthesise input 'x' for profiling: /);
      assert.match(e.message, pattern);
      return true;
    });
    assert.ok((process.resourceUsage().maxRSS - before) / 1024 < 256, `[${shape}]: nothing sized from the dims was allocated`);
  }
  assert.deepEqual(synthesizeInputs([{ name: 'x', dtype: 'float32', shape: [1, 3, 4, 4] }]).x.dims, [1, 3, 4, 4]);
});
