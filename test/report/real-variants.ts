// Test helper: real LeNet-5 variants (fp16 weights + Cast, int8 weights + DequantizeLinear) built through the IR,
// measured on real MNIST images and the real runtimes, gathered into ReportData for the HTML report tests.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { makeTensor, tensorFloats } from '../../src/ir/tensor.ts';
import type { Model, Node } from '../../src/ir/graph.ts';
import { mnistBatches } from '../../src/data/mnist.ts';
import { evaluateClassifier } from '../../src/evaluate/classify.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { profileModel } from '../../src/profile/profile.ts';
import type { ReportData, ReportVariant } from '../../src/report/html/types.ts';
import { statSync } from 'node:fs';

export const LENET = fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url));

/** float32 → IEEE half bits (round to nearest even; enough for weights). */
function toHalf(f: number): number {
  const u = new Uint32Array(new Float32Array([f]).buffer)[0];
  const sign = (u >>> 16) & 0x8000, exp = ((u >>> 23) & 0xff) - 127 + 15, mant = u & 0x7fffff;
  if (exp <= 0) return sign | (exp < -10 ? 0 : Math.round((mant | 0x800000) / 2 ** (14 - exp)));
  if (exp >= 31) return sign | 0x7c00;
  const h = sign | (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  return rest > 0x1000 || (rest === 0x1000 && (h & 1)) ? h + 1 : h;
}

function node(op: string, name: string, inputs: string[], outputs: string[], attrs: [string, number][] = []): Node {
  return { op, domain: '', name, inputs, outputs, attributes: new Map(attrs.map(([k, v]) => [k, { type: 'int' as const, value: v }])) };
}

/** Rewrites every ≥2-D float weight as fp16 + Cast, or int8 (per-tensor symmetric) + DequantizeLinear. */
function lowerWeights(model: Model, kind: 'fp16' | 'int8'): void {
  const g = model.graph;
  const added: Node[] = [];
  for (const [name, t] of [...g.initializers]) {
    if (t.dtype !== 'float32' || t.dims.length < 2) continue;
    const w = tensorFloats(t);
    g.initializers.delete(name);
    if (kind === 'fp16') {
      const h = Uint16Array.from(w, toHalf);
      g.initializers.set(`${name}_fp16`, makeTensor(`${name}_fp16`, 'float16', t.dims, h));
      added.push(node('Cast', `${name}_cast`, [`${name}_fp16`], [name], [['to', 1]]));
    } else {
      const scale = Math.max(...w.map(Math.abs)) / 127 || 1;
      const q = Int8Array.from(w, (x) => Math.max(-127, Math.min(127, Math.round(x / scale))));
      g.initializers.set(`${name}_q`, makeTensor(`${name}_q`, 'int8', t.dims, q));
      g.initializers.set(`${name}_scale`, makeTensor(`${name}_scale`, 'float32', [], new Float32Array([scale])));
      g.initializers.set(`${name}_zp`, makeTensor(`${name}_zp`, 'int8', [], new Int8Array([0])));
      added.push(node('DequantizeLinear', `${name}_dq`, [`${name}_q`, `${name}_scale`, `${name}_zp`], [name]));
    }
  }
  g.nodes.unshift(...added);
}

/** Adds every original node output as a graph output, for per-layer comparison. */
function exposeIntermediates(model: Model, names: string[]): void {
  const have = new Set(model.graph.outputs.map((o) => o.name));
  for (const n of names) if (!have.has(n)) model.graph.outputs.push({ name: n, type: { kind: 'tensor', dtype: 'float32' } });
}

function sqnrDb(ref: ArrayLike<number>, x: ArrayLike<number>): number {
  let s = 0, e = 0;
  for (let i = 0; i < ref.length; i++) { s += ref[i] ** 2; e += (ref[i] - x[i]) ** 2; }
  return 10 * Math.log10(s / e);
}

function psnrDb(ref: ArrayLike<number>, x: ArrayLike<number>): number {
  let peak = 0, e = 0;
  for (let i = 0; i < ref.length; i++) { peak = Math.max(peak, Math.abs(ref[i])); e += (ref[i] - x[i]) ** 2; }
  return 20 * Math.log10(peak / Math.sqrt(e / ref.length));
}

/** Writes the variants into `dir`, measures them, and returns the ReportData (plus the files). */
export async function measuredReportData(dir: string, opts: { images: number; runs: number }): Promise<ReportData> {
  const layerOutputs = (await readModel(LENET)).graph.nodes.flatMap((n) => n.outputs);
  const files: { name: string; path: string; runtime: string }[] = [{ name: 'fp32', path: LENET, runtime: 'ort-node' }];
  for (const kind of ['fp16', 'int8'] as const) {
    const m = await readModel(LENET);
    lowerWeights(m, kind);
    const path = join(dir, `lenet5.${kind}.onnx`);
    await writeModel(m, path);
    files.push({ name: `${kind} weights`, path, runtime: 'ort-node' });
    const probe = await readModel(LENET);
    lowerWeights(probe, kind);
    exposeIntermediates(probe, layerOutputs);
    await writeModel(probe, join(dir, `lenet5.${kind}.probe.onnx`));
  }
  files.push({ name: 'fp32 · wasm', path: LENET, runtime: 'ort-web-wasm' });
  const refProbe = await readModel(LENET);
  exposeIntermediates(refProbe, layerOutputs);
  await writeModel(refProbe, join(dir, 'lenet5.fp32.probe.onnx'));

  const batches = [...mnistBatches('test', 100, undefined, { limit: opts.images })];
  const variants: ReportVariant[] = [];
  let refLogits: Float32Array | undefined;
  let confusion: number[][] = [];
  for (const f of files) {
    const runtime = await resolveRuntime({ name: f.runtime });
    const session = await runtime.load(f.path);
    const acc = await evaluateClassifier(session, batches);
    const logits: number[] = [];
    for (const b of batches) logits.push(...((await session.run({ input: { dtype: 'float32', dims: b.dims, data: b.input } })).logits.data as Float32Array));
    await session.release();
    const out = Float32Array.from(logits);
    refLogits ??= out;
    const prof = await profileModel(f.path, { runtime: f.runtime, warmup: 10, runs: opts.runs, perOp: false });
    const psnr = f.name === 'fp32' ? undefined : psnrDb(refLogits, out);
    const level = psnr === undefined ? undefined : psnr >= 45 ? 'pass' : psnr >= 30 ? 'warn' : 'fail';
    variants.push({
      name: f.name,
      fileBytes: statSync(f.path).size,
      reference: f.name === 'fp32' || undefined,
      accuracy: acc.top1,
      top5: acc.top5,
      psnrDb: psnr,
      latencySamplesMs: prof.samplesMs,
      verdict: level && `${level === 'pass' ? 'good' : level === 'warn' ? 'acceptable' : 'poor'} (PSNR ${psnr!.toFixed(1)} dB)`,
      verdictLevel: level,
    });
    if (f.name === 'int8 weights') confusion = acc.confusion;
  }

  // Per-layer SQNR of the int8 variant against fp32, on the first batch.
  const run = async (path: string) => {
    const s = await (await resolveRuntime({ name: 'ort-node' })).load(path);
    const r = await s.run({ input: { dtype: 'float32', dims: batches[0].dims, data: batches[0].input } });
    await s.release();
    return r;
  };
  const [ref, q] = [await run(join(dir, 'lenet5.fp32.probe.onnx')), await run(join(dir, 'lenet5.int8.probe.onnx'))];
  const ops = new Map((await readModel(LENET)).graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n.op] as const)));
  const layers = layerOutputs.map((name) => ({ name, op: ops.get(name), sqnrDb: sqnrDb(ref[name].data as Float32Array, q[name].data as Float32Array) }));

  return {
    title: 'LeNet-5 variants on MNIST',
    subtitle: `${opts.images} MNIST test images · ort-node and ort-web-wasm · ${opts.runs} timed runs each after 10 warm-up runs`,
    variants,
    perLayer: { variant: 'int8 weights', layers },
    confusion: { variant: 'int8 weights', matrix: confusion },
    notes: ['fp16 and int8 variants store weights in low precision and convert them back at load (Cast / DequantizeLinear).'],
  };
}
