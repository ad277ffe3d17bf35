// evaluateModels on LeNet-5: identical copy, a genuinely different candidate (conv weights at 4 bits), mismatches, NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { mnistBatches } from '../../src/data/mnist.ts';
import { evaluateClassifier } from '../../src/evaluate/classify.ts';
import { evaluateModels } from '../../src/evaluate/compare.ts';
import { verdict } from '../../src/evaluate/verdict.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { LENET, mapInitializer, mnistFor, tempDir, writeRoundedLenet } from './helpers.ts';

const LIMIT = 500;

test('LeNet-5 vs a copy of itself: PSNR Infinity, agreement 100%, same accuracy as evaluateClassifier', async () => {
  const t = tempDir();
  try {
    const copy = join(t.dir, 'copy.onnx');
    copyFileSync(LENET, copy);
    const ev = await evaluateModels(LENET, [copy], await mnistFor(), { limit: LIMIT });
    assert.equal(ev.examples, LIMIT);
    const [c] = ev.candidates;
    assert.equal(c.fidelity!.length, 1);
    assert.equal(c.fidelity![0].psnr, Infinity);
    assert.equal(c.fidelity![0].sqnr, Infinity);
    assert.equal(c.fidelity![0].maxAbsError, 0);
    assert.equal(c.fidelity![0].agreement!.top1, 1);
    assert.equal(c.accuracy!.top1, ev.reference.accuracy!.top1);
    // Independent path: the existing classifier evaluator on the same images.
    const session = await (await resolveRuntime({ name: 'ort-node' })).load(LENET);
    try {
      const acc = await evaluateClassifier(session, mnistBatches('test', 100, undefined, { limit: LIMIT }));
      assert.equal(ev.reference.accuracy!.top1, acc.top1);
      assert.equal(ev.reference.accuracy!.top5, acc.top5);
    } finally {
      await session.release();
    }
    assert.equal(verdict(ev.reference, c).level, 'pass');
  } finally {
    t.dispose();
  }
});

test('conv weights rounded to 4 bits: PSNR, SQNR, cosine, max abs error and agreement match a direct ORT comparison', async () => {
  const t = tempDir();
  try {
    const rounded = join(t.dir, 'conv4bit.onnx');
    await writeRoundedLenet(rounded, 4);
    const ev = await evaluateModels(LENET, [rounded], await mnistFor(), { limit: LIMIT, batchSize: 128 });
    const f = ev.candidates[0].fidelity![0];
    // Direct: run both models ourselves on the same images and take the largest difference.
    const rt = await resolveRuntime({ name: 'ort-node' });
    const a = await rt.load(LENET), b = await rt.load(rounded);
    try {
      let maxErr = 0, same = 0, rows = 0, peak = 0, err2 = 0, ref2 = 0, cand2 = 0, dot = 0, n = 0;
      for (const batch of mnistBatches('test', 100, undefined, { limit: LIMIT })) {
        const feed = { [a.inputs[0].name]: { dtype: 'float32' as const, dims: batch.dims, data: batch.input } };
        const x = (await a.run(feed))[a.outputs[0].name].data as Float32Array;
        const y = (await b.run(feed))[b.outputs[0].name].data as Float32Array;
        for (let i = 0; i < x.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(x[i] - y[i]));
          peak = Math.max(peak, Math.abs(x[i]));
          err2 += (x[i] - y[i]) ** 2;
          ref2 += x[i] ** 2;
          cand2 += y[i] ** 2;
          dot += x[i] * y[i];
          n++;
        }
        for (let r = 0; r < x.length / 10; r++) {
          const am = (v: Float32Array) => { let k = 0; for (let j = 1; j < 10; j++) if (v[r * 10 + j] > v[r * 10 + k]) k = j; return k; };
          if (am(x) === am(y)) same++;
          rows++;
        }
      }
      assert.ok(maxErr > 0.01, `the 4-bit candidate differs (max abs error ${maxErr})`);
      assert.ok(Math.abs(f.maxAbsError - maxErr) <= 1e-6 * Math.max(1, maxErr), `${f.maxAbsError} vs ${maxErr}`);
      // The definitions, computed here over the same logits: PSNR = 20·log10(max|ref| / RMSE), SQNR = 10·log10(Σref² / Σerr²).
      const psnr = 20 * Math.log10(peak / Math.sqrt(err2 / n)), sqnr = 10 * Math.log10(ref2 / err2), cosine = dot / Math.sqrt(ref2 * cand2);
      assert.equal(f.count, n);
      assert.ok(Math.abs(f.psnr - psnr) < 1e-6, `psnr ${f.psnr} vs ${psnr}`);
      assert.ok(Math.abs(f.sqnr - sqnr) < 1e-6, `sqnr ${f.sqnr} vs ${sqnr}`);
      assert.ok(Math.abs(f.cosine - cosine) < 1e-9, `cosine ${f.cosine} vs ${cosine}`);
      assert.equal(f.agreement!.top1, same / rows);
    } finally {
      await a.release();
      await b.release();
    }
  } finally {
    t.dispose();
  }
});

test('a candidate whose input has another name is refused, naming the file and the input', async () => {
  const t = tempDir();
  try {
    const model = await readModel(LENET);
    const old = model.graph.inputs[0].name;
    model.graph.inputs[0].name = 'pixels';
    for (const n of model.graph.nodes) n.inputs = n.inputs.map((i) => (i === old ? 'pixels' : i));
    const renamed = join(t.dir, 'renamed.onnx');
    await writeModel(model, renamed);
    await assert.rejects(evaluateModels(LENET, [renamed], await mnistFor(), { limit: 10 }), (e: Error) => {
      assert.match(e.toString(), new RegExp(`renamed\\.onnx: inputs differ.*missing '${old}'.*unexpected 'pixels'`));
      return true;
    });
  } finally {
    t.dispose();
  }
});

test('NaN in a candidate output is an error naming the model and the output', async () => {
  const t = tempDir();
  try {
    const model = await readModel(LENET);
    const last = model.graph.nodes.filter((n) => n.op === 'Gemm').at(-1)!;
    mapInitializer(model, last.inputs[2], (v) => v.map(() => NaN));
    const bad = join(t.dir, 'nan.onnx');
    await writeModel(model, bad);
    const out = model.graph.outputs[0].name;
    await assert.rejects(evaluateModels(LENET, [bad], await mnistFor(), { limit: 10 }), (e: Error) => {
      assert.match(e.toString(), new RegExp(`nan\\.onnx: output '${out}' holds NaN`));
      return true;
    });
  } finally {
    t.dispose();
  }
});

test('asking for more examples than the data has is a clear error', async () => {
  await assert.rejects(evaluateModels(LENET, [LENET], await mnistFor(), { limit: 20_000 }), /10000 examples, fewer than the 20000 asked for/);
});
