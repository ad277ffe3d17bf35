// The MIL reference executor against onnxruntime: every kernel on random inputs in fp32 and fp16, plus the fp16 rounding itself.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runMilProgram } from '../../src/runtimes/coreml/executor.ts';
import { halfBitsToFloat32, roundHalfInPlace } from '../../src/runtimes/coreml/half.ts';
import { floatToHalf } from '../../src/ir/half.ts';
import { halfToFloat } from '../../src/ir/tensor.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { assertClose, runCase, tempFolder, type FloatT, type OpCase } from './coreml-harness.ts';
import { BINARY_CASES, CONV_CASES, LINEAR_CASES, NORM_CASES, POOL_CASES, REDUCE_CASES, RESIZE_CASES, SHAPE_CASES, UNARY_CASES } from './coreml-executor-cases.ts';

const { dir, cleanup } = tempFolder();
after(cleanup);

const GROUPS: [string, OpCase[]][] = [
  ['conv', CONV_CASES], ['pool', POOL_CASES], ['linear', LINEAR_CASES], ['reduce', REDUCE_CASES], ['normalization', NORM_CASES],
  ['activation and unary', UNARY_CASES], ['binary', BINARY_CASES], ['shape', SHAPE_CASES], ['resize', RESIZE_CASES],
];

for (const [group, cases] of GROUPS) {
  describe(`MIL ${group} kernels match onnxruntime`, () => {
    for (const c of cases) {
      for (const T of c.types ?? (['fp32', 'fp16'] as FloatT[])) {
        test(`${c.name} (${T})`, async () => {
          const r = await runCase(c, T, dir);
          assertClose(r, T, c.name, c.tol32);
        });
      }
    }
  });
}

test('roundHalfInPlace agrees with floatToHalf on random bit patterns, half ties and the subnormal range', () => {
  const rnd = mulberry32(7);
  const n = 200_000;
  const u = new Uint32Array(n);
  for (let i = 0; i < n; i++) u[i] = Math.floor(rnd() * 2 ** 32) >>> 0;
  // Exact ties between neighbouring halves (normal and subnormal) and values next to them.
  for (let i = 0; i < 2000; i++) {
    const h = Math.floor(rnd() * 0x7bff);
    const mid = (halfToFloat(h) + halfToFloat(h + 1)) / 2;
    u[3 * i] = new Uint32Array(Float32Array.of(mid).buffer)[0];
    u[3 * i + 1] = u[3 * i] + 1;
    u[3 * i + 2] = u[3 * i] - 1;
  }
  const f = new Float32Array(u.buffer);
  const rounded = roundHalfInPlace(f.slice());
  for (let i = 0; i < n; i++) {
    const want = halfToFloat(floatToHalf(f[i]));
    if (Number.isNaN(want)) assert.ok(Number.isNaN(rounded[i]));
    else assert.equal(rounded[i], want, `bits ${u[i].toString(16)}: ${f[i]}`);
  }
  assert.equal(halfBitsToFloat32(Uint16Array.of(0x3c00, 0x0001, 0xfbff))[2], -65504);
});

test('an fp16 chain rounds between ops exactly as a float16 cast between the float32 ops does', async () => {
  // add then mul in fp16: the intermediate sum is rounded to half before the product.
  const n = 4096;
  const rnd = mulberry32(99);
  const xs = Float32Array.from({ length: n }, () => halfToFloat(floatToHalf(rnd() * 8 - 4)));
  const c1 = halfToFloat(floatToHalf(0.3337));
  const c2 = halfToFloat(floatToHalf(1.7771));
  const half = (v: number) => ({ value: { type: { dtype: 'fp16' as const, shape: [] }, data: Uint16Array.of(floatToHalf(v)) } });
  const model = {
    specificationVersion: 9,
    description: { inputs: [], outputs: [], metadata: { userDefined: {} } },
    program: {
      version: 1, attributes: {},
      functions: {
        main: {
          inputs: [{ name: 'x', type: { dtype: 'fp16' as const, shape: [n] } }], opset: 'CoreML8', outputs: ['y'],
          operations: [
            { type: 'add', inputs: { x: [{ name: 'x' }], y: [half(c1)] }, outputs: [{ name: 's', type: { dtype: 'fp16' as const, shape: [n] } }], attributes: {} },
            { type: 'mul', inputs: { x: [{ name: 's' }], y: [half(c2)] }, outputs: [{ name: 'y', type: { dtype: 'fp16' as const, shape: [n] } }], attributes: {} },
          ],
        },
      },
    },
  };
  const { y } = runMilProgram(model, { x: { dtype: 'float32', dims: [n], data: xs } });
  assert.equal(y.dtype, 'float16');
  const got = halfBitsToFloat32(y.data as Uint16Array);
  let differsFromUnrounded = 0;
  for (let i = 0; i < n; i++) {
    const s = halfToFloat(floatToHalf(xs[i] + c1));
    const want = halfToFloat(floatToHalf(Math.fround(s * c2)));
    assert.equal(got[i], want, `element ${i}`);
    if (halfToFloat(floatToHalf(Math.fround((xs[i] + c1) * c2))) !== want) differsFromUnrounded++;
  }
  // The intermediate rounding matters for some elements (else this test could not tell).
  assert.ok(differsFromUnrounded > 0, 'no element depends on the intermediate rounding');
});
