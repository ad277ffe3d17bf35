// Control flow in the quantizer: body values calibrated through their If/Loop, Q/DQ inside bodies, per-body report.
// (The full matrix — every fixture × w8a8, int8-dynamic, fp16 on held-out data — is control-flow.slow.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { calibrate } from '../../src/quantize/calibrate/calibrate.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { formatQuantizeReport } from '../../src/quantize/report.ts';
import { scopedGraphs } from '../../src/quantize/subgraphs.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { exampleSource, flag, lstmStates, mnistRowExamples, sharedIfExamples, vadExamples, type Example, INT8_DYNAMIC_FLOOR } from './recurrent-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-control-flow-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => join(PACKAGE_ROOT, 'test', 'fixtures', 'torch', `${name}.onnx`);
const N = 40;

test('a then-branch value calibrates through its If: same range as the same computation in the main graph of lstm.onnx', async () => {
  // if.onnx's then-branch is lstm.onnx's network with zero states: its Gemm output is lstm.onnx's logits.
  const inIf = await calibrate(await readModel(fixture('if')), exampleSource('flag true', N, () => mnistRowExamples('train', 0, N, () => flag(true))), {
    tensors: ['/lstm/fc/Gemm_output_0', '/gru/fc/Gemm_output_0'],
  });
  const inMain = await calibrate(await readModel(fixture('lstm')), exampleSource('zero states', N, () => mnistRowExamples('train', 0, N, () => lstmStates())), {
    tensors: ['logits'],
  });
  const [a, b] = [inIf.get('/lstm/fc/Gemm_output_0')!, inMain.get('logits')!];
  assert.ok(a && b, 'both ranges measured');
  assert.ok(Math.abs(a.min - b.min) < 1e-4 && Math.abs(a.max - b.max) < 1e-4, `then-branch [${a.min}, ${a.max}] vs main graph [${b.min}, ${b.max}]`);
  // The else-branch never ran: it contributed only empty tensors, so it has no range (and stays float if quantized).
  assert.equal(inIf.has('/gru/fc/Gemm_output_0'), false);
});

test('a Loop body value calibrates over every iteration (stacked as a scan output), covering the final iteration', async () => {
  const model = await readModel(fixture('loop'));
  const source = exampleSource('mnist rows', N, () => mnistRowExamples('train', 0, N));
  const ranges = await calibrate(model, source, { tensors: ['/Tanh_output_0', '/Loop_output_0'] });
  const [body, last] = [ranges.get('/Tanh_output_0')!, ranges.get('/Loop_output_0')!];
  assert.ok(body && last);
  assert.ok(body.min <= last.min && body.max >= last.max && body.max - body.min > last.max - last.min, `body [${body.min}, ${body.max}] vs last step [${last.min}, ${last.max}]`);
  assert.ok(body.min >= -1 && body.max <= 1, 'tanh stays in [-1, 1]');
});

/** Worst PSNR over the outputs of `candidate` against `reference`, both by the exact execution. */
async function worstPsnr(reference: string, candidate: string, examples: Iterable<Example>): Promise<number> {
  const runtime = await resolveRuntime({ name: 'onnx-reference' });
  const [ref, cand] = [await runtime.load(reference), await runtime.load(candidate)];
  try {
    const acc = new Map<string, FidelityAccumulator>();
    for (const e of examples) {
      const [r, c] = [await ref.run(e.inputs), await cand.run(e.inputs)];
      for (const k of Object.keys(r)) {
        if (!acc.has(k)) acc.set(k, new FidelityAccumulator());
        acc.get(k)!.add(r[k].data as Float32Array, c[k].data as Float32Array);
      }
    }
    return Math.min(...[...acc.values()].map((a) => a.result().psnr));
  } finally {
    await ref.release();
    await cand.release();
  }
}

test('if.onnx w8a8: weights and Q/DQ inside both branches, the report says so per branch, both branches keep ≥ 45 dB', async () => {
  const source = exampleSource('mnist rows, both flags', N, () => mnistRowExamples('train', 0, N, (i) => flag(i % 2 === 0)));
  const { model, report } = await quantizeModel(await readModel(fixture('if')), { scheme: 'w8a8', calibration: { source, limit: N } });
  const bodies = scopedGraphs(model).filter((s) => s.owner);
  assert.equal(bodies.length, 2);
  for (const body of bodies) {
    const dq = body.graph.nodes.filter((n) => n.op === 'DequantizeLinear');
    const int8 = [...body.graph.initializers.values()].filter((t) => t.dtype === 'int8' && t.dims.length >= 2);
    assert.ok(dq.length >= 4 && int8.length >= 3, `${body.scope}: ${dq.length} DequantizeLinear, ${int8.length} int8 weights`);
    // The recurrent op keeps float activations; its W and R are dequantized int8.
    const rnn = body.graph.nodes.find((n) => n.op === 'LSTM' || n.op === 'GRU')!;
    for (const slot of [1, 2]) assert.ok(dq.some((n) => n.outputs[0] === rnn.inputs[slot]), `${body.scope}: ${rnn.op} input ${slot} is not dequantized`);
  }
  const text = formatQuantizeReport(report);
  assert.match(text, /If '\/If' then_branch: 2 node\(s\) quantized \(LSTM ×1, Gemm ×1\), 3 weight\(s\) int8/);
  assert.match(text, /If '\/If' else_branch: 3 node\(s\) quantized \(GRU ×2, Gemm ×1\), 5 weight\(s\) int8/);
  assert.match(text, /LSTM: int8 W and R .* h\/c state stay float32/);
  const out = join(dir, 'if.w8a8.onnx');
  await writeModel(model, out);
  for (const value of [true, false]) {
    const psnr = await worstPsnr(fixture('if'), out, mnistRowExamples('test', 0, N, () => flag(value)));
    assert.ok(psnr >= 45, `flag ${value}: ${psnr.toFixed(1)} dB`);
  }
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(out);
  await session.release();
});

test('vad.onnx fp16: the Conv weights inside both branches become float16 and the model stays loadable and close', async () => {
  const { model, report } = await quantizeModel(await readModel(fixture('vad')), { scheme: 'fp16' });
  for (const body of scopedGraphs(model).filter((s) => s.owner)) {
    const conv = body.graph.nodes.find((n) => n.op === 'Conv')!;
    assert.equal(body.graph.initializers.get(conv.inputs[1])?.dtype, 'float16', `${body.scope}: Conv weight`);
  }
  assert.ok(report.subgraphs?.every((s) => s.float16Constants >= 2));
  const out = join(dir, 'vad.fp16.onnx');
  await writeModel(model, out);
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(out);
  await session.release();
  for (const sr of [16000, 8000]) {
    const psnr = await worstPsnr(fixture('vad'), out, vadExamples(5, N, () => sr));
    assert.ok(psnr >= 75, `sr ${sr}: ${psnr.toFixed(1)} dB`);
  }
});

test('shared_if.onnx: a weight both branches read is quantized inside each branch (w8a8, int8-dynamic) or kept once in float16', async () => {
  const source = exampleSource('seeded x, both flags', N, () => sharedIfExamples(1, N));
  // int8-dynamic runs onnxruntime's integer kernels (no exact execution exists for them): 52 dB with VNNI, 23.0 dB on an
  // AVX2-only CPU (U8S8 saturation, measured under qemu Haswell); its floor holds on both.
  const floors = { 'w8a8': 48, 'int8-dynamic': INT8_DYNAMIC_FLOOR, 'fp16': 78 } as const;
  for (const scheme of ['w8a8', 'int8-dynamic', 'fp16'] as const) {
    const { model, report } = await quantizeModel(await readModel(fixture('shared_if')), { scheme, ...(scheme === 'w8a8' ? { calibration: { source, limit: N } } : {}) });
    const graphs = scopedGraphs(model);
    const floatWeight = graphs.some((s) => s.graph.initializers.get('fc.weight')?.dtype === 'float32');
    assert.equal(floatWeight, false, `${scheme}: the float32 fc.weight is still stored`);
    for (const body of graphs.filter((s) => s.owner)) {
      const gemm = body.graph.nodes.find((n) => n.op === 'Gemm' || n.op === 'DynamicQuantizeMatMul' || n.op === 'QGemm');
      if (scheme === 'fp16') {
        assert.equal(body.graph.nodes.filter((n) => n.op === 'Cast' && n.inputs[0] === 'fc.weight').length, 0, `${body.scope}: the shared float16 weight needs no Cast`);
        assert.ok(gemm?.inputs.includes('fc.weight'), `${body.scope}: Gemm reads the shared weight`);
        continue;
      }
      assert.ok(gemm && report.subgraphs?.find((x) => x.scope === body.scope)?.integerWeights === 1, `${scheme} ${body.scope}: its own int8 copy of fc.weight`);
    }
    if (scheme === 'fp16') assert.equal(model.graph.initializers.get('fc.weight')?.dtype, 'float16');
    const out = join(dir, `shared_if.${scheme}.onnx`);
    await writeModel(model, out);
    const session = await (await resolveRuntime({ name: 'ort-node' })).load(out);
    await session.release();
    const psnr = await worstPsnr(fixture('shared_if'), out, sharedIfExamples(2, N));
    console.log(`shared_if ${scheme}: ${psnr.toFixed(1)} dB`);
    assert.ok(psnr >= floors[scheme], `${scheme}: ${psnr.toFixed(1)} dB`);
  }
});

test('loop.onnx w8a16: 16-bit Q/DQ inside the Loop body (onnxruntime\'s com.microsoft Q/DQ at opset 13), closer than w8a8', async () => {
  const source = exampleSource('mnist rows', N, () => mnistRowExamples('train', 0, N));
  const psnr: Record<string, number> = {};
  for (const scheme of ['w8a8', 'w8a16'] as const) {
    const { model } = await quantizeModel(await readModel(fixture('loop')), { scheme, calibration: { source, limit: N } });
    const body = scopedGraphs(model).find((s) => s.owner)!;
    const q = body.graph.nodes.filter((n) => n.op === 'QuantizeLinear');
    assert.ok(q.length >= 2, `${scheme}: ${q.length} QuantizeLinear in the body`);
    if (scheme === 'w8a16') assert.ok(q.every((n) => n.domain === 'com.microsoft' && body.graph.initializers.get(n.inputs[2])?.dtype === 'uint16'), 'uint16 activations');
    const out = join(dir, `loop.${scheme}.onnx`);
    await writeModel(model, out);
    const session = await (await resolveRuntime({ name: 'ort-node' })).load(out);
    await session.release();
    psnr[scheme] = await worstPsnr(fixture('loop'), out, mnistRowExamples('test', 0, N));
  }
  console.log(`loop: w8a8 ${psnr.w8a8.toFixed(1)} dB, w8a16 ${psnr.w8a16.toFixed(1)} dB`);
  assert.ok(psnr.w8a8 >= 41 && psnr.w8a16 >= psnr.w8a8 + 10, `w8a8 ${psnr.w8a8.toFixed(1)} dB, w8a16 ${psnr.w8a16.toFixed(1)} dB`);
});
