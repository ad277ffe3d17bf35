// --input-value parsing on the real fixtures' inputs (vad: float32 state, int64 sr; if: bool flag), checked by running the model with the values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { valueFeed } from '../../src/data/with-values.ts';
import { UsageError } from '../../src/errors.ts';
import { readModel } from '../../src/formats/registry.ts';
import { parseInputValues } from '../../src/ir/input-values.ts';
import { tensorValues } from '../../src/ir/tensor.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { synthesizeInputs } from '../../src/profile/inputs.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { mulberry32 } from '../../src/util/random.ts';

const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures', 'torch');
const vadInputs = modelInputs(await readModel(join(FIXTURES, 'vad.onnx')));
const ifInputs = modelInputs(await readModel(join(FIXTURES, 'if.onnx')));

test('values take the dtype and static shape of their input: int64 scalar, float32 filled, bool', () => {
  const values = parseInputValues(['sr=16000', 'state=0.25'], vadInputs);
  const sr = values.get('sr')!;
  assert.equal(sr.dtype, 'int64');
  assert.deepEqual(sr.dims, []);
  assert.deepEqual([...tensorValues(sr)], [16000n]);
  const state = values.get('state')!;
  assert.equal(state.dtype, 'float32');
  assert.deepEqual(state.dims, [2, 1, 64]);
  assert.ok([...tensorValues(state)].every((v) => v === 0.25));
  for (const [text, want] of [['true', 1], ['FALSE', 0], ['1', 1], ['0', 0]] as const) {
    const flag = parseInputValues([`flag=${text}`], ifInputs).get('flag')!;
    assert.equal(flag.dtype, 'bool');
    assert.deepEqual([...tensorValues(flag)], [want]);
  }
});

test('a list gives every element; `;` separates entries as in --input-shape', () => {
  const list = Array.from({ length: 128 }, (_, i) => (i / 128).toString());
  const values = parseInputValues([`state=${list.join(',')};sr=8000`], vadInputs);
  assert.deepEqual([...tensorValues(values.get('state')!)], list.map(Number).map(Math.fround));
  assert.deepEqual([...tensorValues(values.get('sr')!)], [8000n]);
});

test('bad values name the input: unknown name, twice, wrong count, not a number, not an integer, out of range, not a bool', () => {
  const cases: [string[], RegExp][] = [
    [['rate=16000'], /--input-value names 'rate', which is not a model input \(inputs: audio, state, sr\)/],
    [['sr=1', 'sr=2'], /gives input 'sr' twice/],
    [['state=1,2,3'], /input 'state' has shape \[2,1,64\] \(128 values\); give 1 value \(fills it\) or 128, got 3/],
    [['state=abc'], /--input-value state: 'abc' is not a number \(input 'state' is float32\)/],
    [['sr=16000.5'], /--input-value sr: '16000.5' is not an integer \(input 'sr' is int64\)/],
    [['sr=1,2'], /input 'sr' has shape \[\] \(1 values\)/],
    [['sr'], /expects NAME=V/],
  ];
  for (const [specs, message] of cases) {
    assert.throws(() => parseInputValues(specs, vadInputs), (e: unknown) => e instanceof UsageError && message.test(e.message), specs.join(' '));
  }
  assert.throws(() => parseInputValues(['flag=yes'], ifInputs), /'yes' is not true, false, 1 or 0 \(input 'flag' is bool\)/);
  assert.throws(() => parseInputValues(['x=300'], [{ name: 'x', dtype: 'uint8', shape: [] }]), /not in range for uint8 \[0, 255\]/);
});

test('dynamic dims: one value is a scalar-like [1…], a list fills the one unknown dim', () => {
  const inputs = [{ name: 'v', dtype: 'float32' as const, shape: [null] }, { name: 'm', dtype: 'int32' as const, shape: ['N', 3] }];
  const values = parseInputValues(['v=1,2,3,4', 'm=1,2,3,4,5,6'], inputs);
  assert.deepEqual(values.get('v')!.dims, [4]);
  assert.deepEqual(values.get('m')!.dims, [2, 3]);
  assert.deepEqual([...tensorValues(values.get('m')!)], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseInputValues(['m=1,2'], inputs), /2 values do not fit input 'm' of shape \[N,3\]/);
});

test('the parsed values feed vad.onnx on onnxruntime: sr picks the If branch, state enters the LSTM cell', async () => {
  const runtime = await resolveRuntime({ name: 'ort-node' });
  const session = await runtime.load(join(FIXTURES, 'vad.onnx'));
  try {
    const next = mulberry32(7);
    const audio = { dtype: 'float32' as const, dims: [1, 512], data: Float32Array.from({ length: 512 }, () => 2 * next() - 1) };
    const run = async (specs: string[]) => {
      const values = parseInputValues(specs, vadInputs);
      const out = await session.run({ audio, sr: valueFeed(values, 'sr'), state: valueFeed(values, 'state') });
      return { prob: [...(out.prob.data as Float32Array)], state: [...(out.new_state.data as Float32Array)] };
    };
    const at16 = await run(['sr=16000', 'state=0']);
    const at8 = await run(['sr=8000', 'state=0']);
    const warm = await run(['sr=16000', 'state=0.5']);
    assert.notDeepEqual(at16.prob, at8.prob, 'sr=8000 takes the other framing branch');
    assert.notDeepEqual(at16.state, warm.state, 'the state value reaches the LSTM cell');
    assert.deepEqual(await run(['sr=16000', 'state=0']), at16, 'the same values give the same outputs');
  } finally {
    await session.release();
  }
});

test('profiling inputs take the values and synthesise only the rest', () => {
  const feeds = synthesizeInputs(vadInputs, {}, 0, parseInputValues(['sr=8000', 'state=0.5'], vadInputs));
  assert.deepEqual(feeds.sr, { dtype: 'int64', dims: [], data: BigInt64Array.of(8000n) });
  assert.deepEqual(feeds.state.dims, [2, 1, 64]);
  assert.ok((feeds.state.data as Float32Array).every((v) => v === 0.5));
  assert.deepEqual(feeds.audio.dims, [1, 512]);
  assert.ok(new Set(feeds.audio.data as Float32Array).size > 100, 'audio is random');
});
