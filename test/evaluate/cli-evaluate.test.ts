// `ondevice evaluate` as a user runs it: figures checked against a direct ORT run, documented gates and exit codes as literals, a known-bad w8a8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { mnistBatches } from '../../src/data/mnist.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { LENET, mapInitializer, mnistFor, tempDir, writeRoundedLenet } from './helpers.ts';

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit codes, as documented (README "Exit codes"): 0 done, 1 error, 2 usage, 3 failed check. */
const EXIT_FAILED_CHECK = 3;

/**
 * PSNR (20·log10(max|ref| / RMSE)) and top-1 of `candidate` against LeNet-5 on the first `limit` MNIST test images, computed
 * here with onnxruntime directly; `exact` runs the candidate with every graph optimisation off (Q/DQ as written, in float).
 */
async function directFigures(candidate: string, limit: number, exact = false): Promise<{ psnr: number; refTop1: number; top1: number }> {
  const ref = await ort.InferenceSession.create(LENET);
  const cand = await ort.InferenceSession.create(candidate, exact ? { graphOptimizationLevel: 'disabled' } : {});
  let peak = 0, err2 = 0, n = 0, refRight = 0, candRight = 0, rows = 0;
  const argmax = (v: Float32Array, r: number) => { let k = 0; for (let j = 1; j < 10; j++) if (v[r * 10 + j] > v[r * 10 + k]) k = j; return k; };
  try {
    for (const batch of mnistBatches('test', 100, undefined, { limit })) {
      const feed = { input: new ort.Tensor('float32', batch.input, batch.dims) };
      const x = (await ref.run(feed)).logits.data as Float32Array;
      const y = (await cand.run(feed)).logits.data as Float32Array;
      for (let i = 0; i < x.length; i++) {
        peak = Math.max(peak, Math.abs(x[i]));
        err2 += (x[i] - y[i]) ** 2;
        n++;
      }
      for (let r = 0; r < batch.dims[0]; r++, rows++) {
        if (argmax(x, r) === batch.labels[r]) refRight++;
        if (argmax(y, r) === batch.labels[r]) candRight++;
      }
    }
  } finally {
    await ref.release();
    await cand.release();
  }
  return { psnr: 20 * Math.log10(peak / Math.sqrt(err2 / n)), refTop1: refRight / rows, top1: candRight / rows };
}

test('evaluate --json: a copy passes with infinite PSNR; a 3-bit-conv candidate gets the PSNR a direct run gives, fails the 30 dB gate, exit 3', async () => {
  const t = tempDir();
  try {
    const copy = join(t.dir, 'copy.onnx'), rounded = join(t.dir, 'conv3.onnx');
    copyFileSync(LENET, copy);
    await writeRoundedLenet(rounded, 3);
    const r = ondevice('evaluate', LENET, copy, rounded, '--data', 'mnist:test', '--limit', '300', '--json');
    const out = JSON.parse(r.stdout);
    assert.equal(out.examples, 300);
    assert.equal(out.candidates.length, 2);
    assert.equal(out.candidates[0].fidelity[0].psnr, 'Infinity');
    assert.equal(out.verdicts[0].level, 'pass');
    const psnr = out.candidates[1].fidelity[0].psnr;
    const direct = await directFigures(rounded, 300);
    assert.ok(Math.abs(psnr - direct.psnr) < 1e-6, `PSNR ${psnr} vs ${direct.psnr} computed directly`);
    assert.ok(direct.psnr < 30, `3-bit conv weights: ${direct.psnr} dB`);
    assert.equal(out.verdicts[1].level, 'fail');
    assert.match(out.verdicts[1].reason, /^PSNR \d+\.\d dB < 30 dB/);
    assert.equal(r.code, EXIT_FAILED_CHECK, r.stderr);
  } finally {
    t.dispose();
  }
});

test('evaluate prints the table and the per-layer ranking, and --report writes the HTML report', () => {
  const t = tempDir();
  try {
    const copy = join(t.dir, 'copy.onnx');
    copyFileSync(LENET, copy);
    const r = ondevice('evaluate', LENET, copy, '--data', 'mnist:test', '--limit', '100', '--per-layer', '--report', join(t.dir, 'r.html'));
    assert.equal(r.code, 0, r.stderr);
    for (const h of ['top-1', 'PSNR', 'SQNR', 'cosine', 'max abs err', 'top-1 agree', 'verdict', 'per-layer SQNR', 'layers that lose the most']) assert.ok(r.stdout.includes(h), h);
    assert.match(r.stdout, /copy\.onnx.*inf.*pass/);
    assert.match(r.stderr, /wrote .*r\.html/);
    const html = readFileSync(join(t.dir, 'r.html'), 'utf8');
    assert.ok(html.includes('copy.onnx') && html.includes('<svg'), 'the report names the candidate and has charts');
    assert.ok(html.includes('/conv1/Conv'), 'the per-layer chart names the layers');
  } finally {
    t.dispose();
  }
});

test('a missing candidate fails with one line naming it', () => {
  const r = ondevice('evaluate', LENET, '/nonexistent/cand.onnx', '--data', 'mnist:test', '--limit', '10');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cand\.onnx/);
  assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
});

/** A copy of `m` with one weight scale (output channel `channel` of `node`'s per-channel scales) multiplied by `factor`. */
function withWeightScale(m: Model, node: string, channel: number, factor: number): Model {
  const copy: Model = { ...m, graph: { ...m.graph, initializers: new Map(m.graph.initializers) } };
  const target = copy.graph.nodes.find((n) => n.name === node)!;
  const dq = copy.graph.nodes.find((n) => n.op === 'DequantizeLinear' && n.outputs[0] === target.inputs[1]);
  assert.ok(dq, `${node}'s weight is not dequantized`);
  mapInitializer(copy, dq.inputs[1], (s) => s.map((x, c) => (c === channel ? x * factor : x)));
  return copy;
}

test('LeNet-5 w8a8 passes at ≥ 30 dB (exact Q/DQ execution); the same with one fc2 weight scale ×8 fails the 30 dB gate: exit 3', async () => {
  const t = tempDir();
  try {
    const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', calibration: { source: await mnistFor('train'), limit: 200 } });
    const good = join(t.dir, 'good.onnx'), bad = join(t.dir, 'bad.onnx');
    await writeModel(model, good);
    await writeModel(withWeightScale(model, '/fc2/Gemm', 0, 8), bad);
    const r = ondevice('evaluate', LENET, good, bad, '--data', 'mnist:test', '--limit', '500', '--json');
    assert.equal(r.code, EXIT_FAILED_CHECK, r.stderr);
    const out = JSON.parse(r.stdout);
    const [g, b] = out.candidates;
    const [gv, bv] = out.verdicts;
    const [gd, bd] = [await directFigures(good, 500, true), await directFigures(bad, 500, true)];
    // The good one: 30 dB is the documented int8 gate; measured ~50 dB.
    assert.equal(g.scheme, 'w8a8');
    assert.ok(gd.psnr >= 30, `w8a8 LeNet-5: ${gd.psnr} dB`);
    assert.ok(Math.abs(g.exact.fidelity[0].psnr - gd.psnr) < 1e-6, `exact PSNR ${g.exact.fidelity[0].psnr} vs ${gd.psnr} computed directly`);
    assert.ok((gd.refTop1 - gd.top1) * 100 <= 1, `top-1 ${gd.refTop1} → ${gd.top1}`);
    assert.deepEqual([gv.level, gv.judged, gv.minPsnr], ['pass', 'exact', 30]);
    // The bad one: its accuracy holds (within the 1-point allowance), so only the PSNR gate can fail it.
    assert.ok(bd.psnr < 30 - 3 && bd.psnr > 6, `fc2 channel-0 scale ×8: ${bd.psnr} dB, well under 30 dB and well over 3 dB`);
    assert.ok(Math.abs(b.exact.fidelity[0].psnr - bd.psnr) < 1e-6, `exact PSNR ${b.exact.fidelity[0].psnr} vs ${bd.psnr} computed directly`);
    assert.ok((bd.refTop1 - bd.top1) * 100 <= 0.5, `top-1 ${bd.refTop1} → ${bd.top1}`);
    assert.deepEqual([bv.level, bv.judged, bv.minPsnr], ['fail', 'exact', 30]);
    assert.equal(bv.reason, `PSNR ${bd.psnr.toFixed(1)} dB < 30 dB (w8a8) (exact Q/DQ execution)`);
  } finally {
    t.dispose();
  }
});
