// Data for models with several inputs: an .npz with float32/int64/bool arrays (vad, if fixtures), per-input recipes
// over a folder of .wav clips and .npy states, and fixed values; each checked by running the real model on the batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameCount } from '../../src/data/audio-recipe.ts';
import { parseDataRecipe } from '../../src/data/data-recipe.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { openDataSource } from '../../src/data/open-source.ts';
import type { DataBatch } from '../../src/data/source.ts';
import { UsageError } from '../../src/errors.ts';
import { readModel } from '../../src/formats/registry.ts';
import { parseInputValues } from '../../src/ir/input-values.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { calibrate } from '../../src/quantize/calibrate/calibrate.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { sineWithNoise, writeNpz, writeWav } from './data-files.ts';

const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures', 'torch');
const vad = await readModel(join(FIXTURES, 'vad.onnx'));
const vadInputs = modelInputs(vad);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-multi-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function all(batches: AsyncIterable<DataBatch>): Promise<DataBatch[]> {
  const out: DataBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}
const range = (a: ArrayLike<number>) => ({ min: Math.min(...Array.from(a)), max: Math.max(...Array.from(a)) });

test('an .npz with audio [N,512], state [N,2,1,64] and int64 sr [N] feeds vad.onnx one whole example per run', async () => {
  const n = 6;
  const next = mulberry32(21);
  const audio = Float32Array.from({ length: n * 512 }, () => 2 * next() - 1);
  const state = Float32Array.from({ length: n * 128 }, () => next() - 0.5);
  const sr = BigInt64Array.from({ length: n }, (_, i) => (i % 2 ? 8000n : 16000n));
  const path = join(dir, 'vad.npz');
  await writeNpz(path, { audio: { dtype: 'float32', dims: [n, 512], data: audio }, state: { dtype: 'float32', dims: [n, 2, 1, 64], data: state }, sr: { dtype: 'int64', dims: [n], data: sr } });
  const source = await openDataSource(path, vadInputs);
  const batches = await all(source.batches(4));
  assert.equal(batches.length, n, 'whole-input examples come one per batch');
  assert.deepEqual(batches[3].inputs.sr, { dtype: 'int64', dims: [], data: sr.subarray(3, 4) });
  assert.deepEqual(batches[3].inputs.state.dims, [2, 1, 64]);
  assert.deepEqual(batches[3].inputs.state.data, state.subarray(3 * 128, 4 * 128));
  assert.deepEqual(batches[3].inputs.audio.dims, [1, 512]);
  // The batches run on onnxruntime as they are, and sr reaches the If: odd examples (8 kHz) take the other branch.
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(join(FIXTURES, 'vad.onnx'));
  try {
    const probs = [];
    for (const b of batches) probs.push((await session.run(b.inputs)).prob.data[0] as number);
    const same = await session.run({ ...batches[1].inputs, sr: { dtype: 'int64', dims: [], data: BigInt64Array.of(16000n) } });
    assert.notEqual(same.prob.data[0], probs[1], 'example 1 was fed sr=8000 from the file');
  } finally {
    await session.release();
  }
  const ranges = await calibrate(vad, source, { tensors: ['audio', 'state', 'prob'] });
  assert.deepEqual(ranges.get('audio'), range(audio));
  assert.deepEqual(ranges.get('state'), range(state));
  assert.ok(ranges.has('prob'));
});

test('an .npz with a bool flag [N] drives if.onnx: flag true and false both reach the model', async () => {
  const n = 4;
  const [digits] = await all(mnistSource('test').batches(n, n));
  const x = digits.inputs.input.data as Float32Array;
  const path = join(dir, 'if.npz');
  await writeNpz(path, { x: { dtype: 'float32', dims: [n, 28, 28], data: x }, flag: { dtype: 'bool', dims: [n], data: Uint8Array.of(1, 0, 1, 0) } });
  const ifModel = join(FIXTURES, 'if.onnx');
  const source = await openDataSource(path, modelInputs(await readModel(ifModel)));
  const batches = await all(source.batches(n));
  assert.deepEqual(batches.map((b) => [...(b.inputs.flag.data as Uint8Array)]), [[1], [0], [1], [0]]);
  assert.ok(batches.every((b) => b.inputs.flag.dtype === 'bool' && b.inputs.flag.dims.length === 0));
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(ifModel);
  try {
    const out = async (b: DataBatch, flag: number) => [...((await session.run({ ...b.inputs, flag: { dtype: 'bool', dims: [], data: Uint8Array.of(flag) } })).logits.data as Float32Array)];
    const fed = [...((await session.run(batches[1].inputs)).logits.data as Float32Array)];
    assert.deepEqual(fed, await out(batches[1], 0));
    assert.notDeepEqual(fed, await out(batches[1], 1), 'the two branches differ, so the flag from the file was used');
  } finally {
    await session.release();
  }
});

test('per-input recipes: DIR/audio/*.wav framed by an audio recipe + DIR/state.npy, sr from --input-value', async () => {
  const data = join(dir, 'per-input');
  mkdirSync(join(data, 'audio'), { recursive: true });
  writeWav(join(data, 'audio', 'a.wav'), [sineWithNoise(16000, 0.2, 440, 31)], 16000);
  writeWav(join(data, 'audio', 'b.wav'), [sineWithNoise(8000, 0.2, 250, 32)], 8000);
  const frames = frameCount(3200, 512, 256) * 2;
  const next = mulberry32(33);
  const state = Float32Array.from({ length: frames * 128 }, () => next() - 0.5);
  writeFileSync(join(data, 'state.npy'), encodeNpy({ dtype: 'float32', dims: [frames, 2, 1, 64], data: state }));
  const recipe = parseDataRecipe({ inputs: { audio: { audio: { sampleRate: 16000, frame: 512, hop: 256 } } } });
  const inputValues = parseInputValues(['sr=16000'], vadInputs);
  const source = await openDataSource(data, vadInputs, { recipe, inputValues });
  const batches = await all(source.batches(32));
  assert.equal(batches.length, frames);
  assert.ok(batches.every((b) => b.inputs.sr.data[0] === 16000n && b.inputs.audio.dims.join() === '1,512' && b.inputs.state.dims.join() === '2,1,64'));
  assert.deepEqual(batches[frames - 1].inputs.state.data, state.subarray((frames - 1) * 128));
  const ranges = await calibrate(vad, source, { tensors: ['state', 'prob'] });
  assert.deepEqual(ranges.get('state'), range(state));
  // One state fewer than frames: the sources disagree, found while reading (a .wav folder's frame count is not known up front).
  writeFileSync(join(data, 'state.npy'), encodeNpy({ dtype: 'float32', dims: [frames - 1, 2, 1, 64], data: state.subarray(128) }));
  await assert.rejects(all((await openDataSource(data, vadInputs, { recipe, inputValues })).batches(1)), (e: unknown) => e instanceof UsageError && /disagree on the number of examples/.test(e.message));
});

test('an input neither the data nor a value feeds is an error naming it and --input-value, never silent zeros', async () => {
  const clips = join(dir, 'clips');
  mkdirSync(clips);
  writeWav(join(clips, 'a.wav'), [sineWithNoise(16000, 0.1, 440, 41)], 16000);
  const recipe = parseDataRecipe({ input: 'audio', audio: { frame: 512, hop: 512 } });
  await assert.rejects(openDataSource(clips, vadInputs, { recipe, inputValues: parseInputValues(['sr=16000'], vadInputs) }),
    (e: unknown) => e instanceof UsageError && /the data has nothing for model input 'state' .*--input-value state=/.test(e.message));
  const ok = await openDataSource(clips, vadInputs, { recipe, inputValues: parseInputValues(['sr=16000', 'state=0'], vadInputs) });
  assert.match(ok.description, /with sr=16000, state=0 \(all of \[2,1,64\]\)/);
  assert.notEqual(await ok.fingerprint(), await (await openDataSource(clips, vadInputs, { recipe, inputValues: parseInputValues(['sr=8000', 'state=0'], vadInputs) })).fingerprint());
});

test('a recipe value entry feeds its input on every example (data only), beside the audio entry framing a plain .wav folder', async () => {
  const clips = join(dir, 'value-clips');
  mkdirSync(clips);
  writeWav(join(clips, 'a.wav'), [sineWithNoise(16000, 0.1, 440, 61)], 16000);
  const recipe = parseDataRecipe({ inputs: { audio: { audio: { frame: 512, hop: 512 } }, state: { value: 0.25 }, sr: { value: 16000 } } });
  const source = await openDataSource(clips, vadInputs, { recipe });
  const batches = await all(source.batches(8));
  assert.equal(batches.length, 3);
  assert.ok(batches.every((b) => b.inputs.state.dims.join() === '2,1,64' && (b.inputs.state.data as Float32Array).every((v) => v === 0.25) && b.inputs.sr.data[0] === 16000n));
  // --input-value wins over the recipe's value for the same input.
  const flagged = await openDataSource(clips, vadInputs, { recipe, inputValues: parseInputValues(['sr=8000'], vadInputs) });
  assert.equal((await all(flagged.batches(1)))[0].inputs.sr.data[0], 8000n);
  assert.throws(() => parseDataRecipe({ inputs: { state: { value: 'zero' } } }, 'r.json'), (e: unknown) => e instanceof UsageError && e.file === 'r.json' && /inputs\.state\.value must be a number/.test(e.message));
  await assert.rejects(openDataSource(clips, vadInputs, { recipe: parseDataRecipe({ inputs: { audio: { audio: { frame: 512 } }, state: { value: [1, 2] } } }) }),
    /recipe inputs\.state\.value: input 'state' has shape \[2,1,64\] \(128 values\)/);
});
