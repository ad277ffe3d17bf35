// quantize --auto --budget: the search over schemes, PTQ steps and mixed precision, on LeNet-5 and MNIST, through the API and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';
import { readModel } from '../../src/formats/registry.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { budgetText, parseBudget, quantizeAuto } from '../../src/pipeline/auto-quantize.ts';
import { measureCandidate } from '../../src/pipeline/mixed-precision.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { encodeOnnx } from '../../src/formats/onnx/index.ts';

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const calibration = { source: mnistSource('train'), limit: 64 };

test('parseBudget reads psnr= and drop=, and refuses anything else', () => {
  assert.deepEqual(parseBudget('psnr=35'), { psnr: 35 });
  assert.deepEqual(parseBudget('drop=0.5'), { drop: 0.5 });
  assert.equal(budgetText(parseBudget('psnr=35')), 'PSNR ≥ 35 dB');
  for (const bad of ['psnr=', 'psnr=-3', 'size=3', '35', 'psnr=0']) assert.throws(() => parseBudget(bad), /--budget/, bad);
});

test('--auto picks the smallest configuration that meets the budget, measured on held-out data', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const validation = mnistSource('test');
  const { model: chosen, auto } = await quantizeAuto(model, { calibration }, { budget: { psnr: 42 }, validation, examples: 32 });
  assert.ok(auto.met, JSON.stringify(auto.candidates));
  const pick = auto.candidates[auto.chosen];
  assert.ok(pick.met && pick.psnr >= 42);
  // Nothing with fewer weight bits met it, and of equal weights it is the most faithful.
  const bits = (s: string) => (s.startsWith('w4') ? 4 : 8);
  for (const c of auto.candidates.filter((x) => x.met)) {
    assert.ok(bits(c.scheme) >= bits(pick.scheme));
    if (c.scheme === pick.scheme) assert.ok(c.psnr <= pick.psnr);
  }
  // Int4 weights are tried first; the figures are the written model's own.
  assert.ok(auto.candidates[0].scheme.startsWith('w4'), auto.candidates[0].scheme);
  const again = await measureCandidate(await readModel(DEFAULT_MODEL.path), chosen, validation, 32, 32);
  assert.ok(Math.abs(again.psnr - pick.psnr) < 0.05, `${again.psnr} vs ${pick.psnr}`);
  assert.ok(pick.sizeRatio < 0.3, `size ${pick.sizeRatio}`);
  assert.ok(auto.candidates.some((c) => c.pareto) && pick.pareto, 'the chosen model is on the Pareto front');
});

test('--auto says plainly when the budget cannot be met, and tries mixed precision first', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const { auto } = await quantizeAuto(model, { calibration }, { budget: { psnr: 200 }, validation: mnistSource('test'), examples: 16, schemes: ['w8a8'] });
  assert.equal(auto.met, false);
  const last = auto.candidates.at(-1)!;
  assert.ok(last.lifted > 0, 'mixed precision lifted activations');
  const best = Math.max(...auto.candidates.map((c) => c.psnr));
  assert.equal(auto.candidates[auto.chosen].psnr, best, 'the closest candidate is written');
});

test('--auto keeps the layers 4 bits hurt most at int8 before it gives up int4 weights (mixed weight precision)', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const validation = mnistSource('test');
  const { model: chosen, auto } = await quantizeAuto(model, { calibration }, { budget: { psnr: 42 }, validation, examples: 32, schemes: ['w4a16', 'w8a16'] });
  const int4Only = auto.candidates.filter((c) => c.scheme === 'w4a16' && !c.int8Layers);
  assert.ok(int4Only.length && int4Only.every((c) => !c.met), 'int4 alone misses the budget (else this test checks nothing)');
  const pick = auto.candidates[auto.chosen];
  assert.ok(auto.met && pick.met && pick.scheme === 'w4a16' && pick.int8Layers! > 0 && pick.int8Layers! < 5, JSON.stringify(pick));
  // Of the mixes that met the budget, the one with the fewest int8 layers (the smallest), not the most faithful.
  assert.equal(pick.int8Layers, Math.min(...auto.candidates.filter((c) => c.met).map((c) => c.int8Layers ?? 0)));
  // The search stopped there (no 8-bit-weight scheme tried) and the model is smaller than all-int8 weights would be.
  assert.ok(!auto.candidates.some((x) => x.scheme === 'w8a16'), 'int8 weights everywhere were not needed');
  const { model: int8 } = await quantizeModel(await readModel(DEFAULT_MODEL.path), { scheme: 'w8a16', calibration });
  assert.ok(pick.bytes < encodeOnnx(int8).byteLength, `${pick.bytes} B vs all-int8 ${encodeOnnx(int8).byteLength} B`);
  // The written model holds int8 weights on exactly that many layers.

  const producer = new Map(chosen.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const types = chosen.graph.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((n) => chosen.graph.initializers.get(producer.get(n.inputs[1])!.inputs[0])!.dtype);
  assert.equal(types.filter((t) => t === 'int8').length, pick.int8Layers);
  assert.equal(types.filter((t) => t === 'int4').length, 5 - pick.int8Layers!);
  const again = await measureCandidate(model, chosen, validation, 32, 32);
  assert.ok(again.psnr >= 42, `${again.psnr}`);
});

test('with only int4 schemes, --auto still mixes int8 weights in at the end, and of the mixes that meet it writes the smallest', async () => {
  const { auto } = await quantizeAuto(await readModel(DEFAULT_MODEL.path), { calibration }, { budget: { psnr: 38.8 }, validation: mnistSource('test'), examples: 32, schemes: ['w4a16'] });
  const mixes = auto.candidates.filter((c) => c.int8Layers && c.met);
  assert.ok(mixes.length >= 2, `two mixes meet the budget (else the choice below checks nothing): ${JSON.stringify(auto.candidates.map((c) => [c.int8Layers, c.psnr.toFixed(2)]))}`);
  const pick = auto.candidates[auto.chosen];
  assert.equal(pick.int8Layers, Math.min(...mixes.map((c) => c.int8Layers!)));
  assert.ok(mixes.every((c) => c.bytes >= pick.bytes), 'no met mix is smaller');
});

test('a drop budget judges top-1 accuracy on labelled data', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const { auto } = await quantizeAuto(model, { calibration }, { budget: { drop: 1 }, validation: mnistSource('test'), examples: 64, schemes: ['w8a8'] });
  const c = auto.candidates[auto.chosen];
  assert.ok(auto.referenceAccuracy !== undefined && c.accuracy !== undefined && c.drop !== undefined);
  assert.ok(Math.abs(c.drop - 100 * (auto.referenceAccuracy - c.accuracy)) < 1e-9);
  assert.equal(auto.met, c.drop <= 1);
});

test('ondevice quantize --auto writes the model, the search in JSON and an HTML report with PSNR against size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-auto-'));
  try {
    const out = join(dir, 'auto.onnx'), html = join(dir, 'auto.html');
    const r = ondevice('quantize', DEFAULT_MODEL.path, '--auto', '--budget', 'psnr=40', '--scheme', 'w8a8,w8a16', '--calibration', 'mnist:train', '--limit', '64',
      '--validation', 'mnist:test', '-o', out, '--report', html, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.auto.met, true);
    assert.ok(j.auto.candidates.every((c: { scheme: string }) => c.scheme === 'w8a8' || c.scheme === 'w8a16'));
    assert.ok(existsSync(out));
    const page = readFileSync(html, 'utf8');
    assert.match(page, /PSNR vs size/);
    assert.match(page, /Pareto/);
    const missing = ondevice('quantize', DEFAULT_MODEL.path, '--auto', '--budget', 'psnr=40', '--calibration', 'mnist:train', '-o', join(dir, 'x.onnx'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--validation/);
    assert.ok(!existsSync(join(dir, 'x.onnx')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
