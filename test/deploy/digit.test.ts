// The page's DOM-free preprocessing on real MNIST digits, run through onnxruntime-node: recipe → tensor, digit normalisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRecipe } from '../../src/data/recipe.ts';
import { loadMnist, mnistBatches } from '../../src/data/mnist.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { normalizeDigit } from '../../web/app/preprocess/digit.ts';
import { pixelsToTensor, inputDims } from '../../web/app/preprocess/tensor.ts';
import { recipeCrop } from '../../web/app/preprocess/recipe.ts';
import { topK } from '../../web/app/classify.ts';
import { resampleGray, type Pixels } from '../../web/app/preprocess/pixels.ts';
import { paperDigit } from './paper-digit.ts';

const recipe = loadRecipe(DEFAULT_MODEL.preprocess);
const N = 300;
const mnist = loadMnist('test', { limit: N });
const digit = (i: number) => mnist.images.subarray(i * 784, (i + 1) * 784);

/** Top-1 accuracy of LeNet-5 over images turned into inputs by `prepare`. */
async function accuracy(prepare: (i: number) => Pixels | null): Promise<number> {
  const session = await ortNodeRuntime.load(DEFAULT_MODEL.path);
  try {
    const input = new Float32Array(N * 784);
    for (let i = 0; i < N; i++) {
      const p = prepare(i);
      assert.ok(p, `image ${i} was found empty`);
      input.set(pixelsToTensor(p, recipe), i * 784);
    }
    const out = await session.run({ input: { dtype: 'float32', dims: [N, 1, 28, 28], data: input } });
    const logits = out.logits.data as Float32Array;
    let right = 0;
    for (let i = 0; i < N; i++) if (topK(logits.subarray(i * 10, i * 10 + 10), 1)[0].index === mnist.labels[i]) right++;
    return right / N;
  } finally {
    await session.release();
  }
}

test('pixelsToTensor applies the LeNet-5 recipe exactly as the Node MNIST loader does', () => {
  const [batch] = mnistBatches('test', 4);
  assert.deepEqual(inputDims(recipe), [1, 1, 28, 28]);
  for (let i = 0; i < 4; i++) {
    const t = pixelsToTensor({ width: 28, height: 28, channels: 1, data: digit(i) }, recipe);
    assert.deepEqual(t, batch.input.subarray(i * 784, (i + 1) * 784));
  }
  // RGBA input, NHWC/BGR recipe: luma for gray; channel order and per-channel mean/std for colour.
  const rgba = { width: 1, height: 1, channels: 4 as const, data: new Uint8Array([255, 0, 0, 255]) };
  assert.ok(Math.abs(pixelsToTensor(rgba, { ...recipe, size: [1, 1] })[0] - ((0.299 - 0.1307) / 0.3081)) < 1e-5);
  const bgr = { ...recipe, size: [1, 1] as [number, number], channels: 'BGR' as const, layout: 'NHWC' as const, scale: 1, mean: [0, 1, 2], std: [1, 1, 1] };
  assert.deepEqual([...pixelsToTensor({ width: 1, height: 1, channels: 3, data: new Uint8Array([10, 20, 30]) }, bgr)], [30, 19, 8]);
});

test('normalizeDigit keeps MNIST digits MNIST-like: accuracy on the raw test digits stays ≥ 98%', async () => {
  const acc = await accuracy((i) => normalizeDigit({ width: 28, height: 28, channels: 1, data: digit(i) }));
  assert.ok(acc >= 0.98, `accuracy ${acc}`);
});

test('digits filmed on unevenly lit paper (dark ink, 4× larger, off-centre) are classified ≥ 97%', async () => {
  const acc = await accuracy((i) => normalizeDigit({
    width: 150, height: 150, channels: 1,
    data: paperDigit(digit(i), { width: 150, height: 150, zoom: 4, offset: [(i % 7) - 3, (i % 5) - 2] }),
  }));
  assert.ok(acc >= 0.97, `accuracy ${acc}`);
  // Control: plain inversion and downscaling of the whole frame (no contrast stretch, no fitting) does much worse.
  const naive = await accuracy((i) => {
    const frame = paperDigit(digit(i), { width: 150, height: 150, zoom: 4, offset: [(i % 7) - 3, (i % 5) - 2] });
    const small = resampleGray({ width: 150, height: 150, channels: 1, data: frame.map((v) => 255 - v) }, 28, 28);
    return small;
  });
  assert.ok(naive < acc - 0.1, `naive ${naive} vs normalised ${acc}`);
});

test('an empty or flat frame holds no digit', () => {
  assert.equal(normalizeDigit({ width: 50, height: 50, channels: 1, data: new Uint8Array(2500).fill(230) }), null);
  const faint = new Uint8Array(2500).fill(200);
  faint[1275] = 190;
  assert.equal(normalizeDigit({ width: 50, height: 50, channels: 1, data: faint }), null);
});

test('recipeCrop: stretch keeps the frame, the crop mode keeps the centre at the recipe aspect', () => {
  const r = { ...recipe, size: [224, 224] as [number, number] };
  assert.deepEqual(recipeCrop(640, 480, r), { x: 0, y: 0, width: 640, height: 480 });
  const c = recipeCrop(640, 480, { ...r, resize: 'shorter-side-then-center-crop', shorterSide: 256 });
  assert.ok(Math.abs(c.height - 420) < 1e-9 && Math.abs(c.width - 420) < 1e-9, JSON.stringify(c));
  assert.ok(Math.abs(c.x - 110) < 1e-9 && Math.abs(c.y - 30) < 1e-9);
});

test('topK ranks softmax probabilities and names them', () => {
  const r = topK(new Float32Array([0, 3, 1]), 2, ['a', 'b', 'c']);
  assert.deepEqual(r.map((x) => x.label), ['b', 'c']);
  assert.ok(Math.abs(r[0].score - Math.exp(3) / (1 + Math.exp(3) + Math.exp(1))) < 1e-6);
});
