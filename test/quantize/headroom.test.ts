// 16-bit headroom: the widening itself, and what it buys on a held-out example past the calibration extremes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIXTEEN_BIT_HEADROOM, withSixteenBitHeadroom } from '../../src/quantize/calibrate/headroom.ts';

test('16-bit ranges widen by the fraction of their span each side; non-negative ranges keep their floor; 8-bit ones are left', () => {
  const ranges = new Map([['a', { min: -1, max: 3 }], ['relu', { min: 0, max: 2 }], ['eight', { min: -1, max: 1 }], ['flat', { min: 1, max: 1 }]]);
  const { ranges: out, widened } = withSixteenBitHeadroom(ranges, (v) => v !== 'eight');
  assert.equal(SIXTEEN_BIT_HEADROOM, 0.5);
  assert.deepEqual(out.get('a'), { min: -3, max: 5 });
  assert.deepEqual(out.get('relu'), { min: 0, max: 3 });
  assert.deepEqual(out.get('eight'), { min: -1, max: 1 });
  assert.deepEqual(out.get('flat'), { min: 1, max: 1 }, 'an empty span stays as it is');
  assert.equal(widened, 2);
  assert.deepEqual(withSixteenBitHeadroom(ranges, () => true, 0).ranges.get('a'), { min: -1, max: 3 }, 'fraction 0 changes nothing');
});
