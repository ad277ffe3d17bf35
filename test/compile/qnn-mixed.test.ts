// Mixed 8/16-bit QNN models: one activation type per unit and DQ → Q converts, checked by rules written here; the search; the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import ort from 'onnxruntime-node';
import { formatQnnMixed } from '../../src/cli/compile.ts';
import { compileToQnn } from '../../src/compile/qnn/compile.ts';
import { prepareForQnn } from '../../src/compile/qnn/prepare.ts';
import { qnnPlacement } from '../../src/compile/qnn/placement.ts';
import { mnistBatches } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import type { Model, Node } from '../../src/ir/graph.ts';
import { inferTypes } from '../../src/ir/infer.ts';
import { tensorValues } from '../../src/ir/tensor.ts';
import { toposort } from '../../src/ir/toposort.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { randomSource } from '../../src/data/random.ts';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { seededFloats } from '../../src/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-qnn-mixed-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const CLI = join(PACKAGE_ROOT, 'src/cli/main.ts');

/**
 * Rules of a mixed 8/16-bit QDQ model for the QNN EP, from onnxruntime's mixed-precision quantizer and its DQ → Q fusion,
 * checked without the compiler's code: each compute node's activation inputs (DQs of non-constants) and outputs (Qs)
 * share one type; a DQ read by a Q is a convert (its only reader, scalar scale and zero point); biases stay at input
 * scale × weight scale. Returns the violations and the converts seen, by direction.
 */
function mixedViolations(model: Model): { bad: string[]; converts: Record<string, number>; types: Set<string> } {
  const g = model.graph;
  const producer = new Map<string, Node>();
  const readers = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const zpType = (n: Node) => g.initializers.get(n.inputs[2] ?? '')?.dtype ?? 'none';
  const scalar = (name: string) => (g.initializers.get(name)?.dims ?? [0]).reduce((a, d) => a * d, 1) === 1;
  const isActivation = (dq: Node) => !g.initializers.has(dq.inputs[0]);
  /** [lowest, highest, step] a Q/DQ's grid of `top + 1` levels covers. */
  const realRange = (n: Node, top: number): [number, number, number] => {
    const s = Number(tensorValues(g.initializers.get(n.inputs[1])!)[0]), z = Number(tensorValues(g.initializers.get(n.inputs[2])!)[0]);
    return [-z * s, (top - z) * s, s];
  };
  const bad: string[] = [];
  const converts: Record<string, number> = {};
  const types = new Set<string>();
  for (const n of g.nodes) {
    if (n.op === 'DequantizeLinear' && isActivation(n)) {
      types.add(zpType(n));
      const r = readers.get(n.outputs[0]) ?? [];
      if (r.some((x) => x.op === 'QuantizeLinear')) {
        if (r.length !== 1) bad.push(`convert DQ ${n.outputs[0]} has ${r.length} readers`);
        if (!scalar(n.inputs[1]) || !scalar(r[0].inputs[1])) bad.push(`convert at ${n.outputs[0]} has non-scalar params`);
        const key = `${zpType(n)}→${zpType(r[0])}`;
        // Widening keeps the real range: a uint16 grid over what the uint8 one covered (to one uint8 step).
        if (key === 'uint8→uint16') {
          const [a, b] = [realRange(n, 255), realRange(r[0], 65535)];
          if (Math.abs(a[0] - b[0]) > a[2] || Math.abs(a[1] - b[1]) > a[2]) bad.push(`convert at ${n.outputs[0]} covers [${b[0]}, ${b[1]}], not its uint8 range [${a[0]}, ${a[1]}]`);
        }
        converts[key] = (converts[key] ?? 0) + 1;
      }
      continue;
    }
    if (n.op === 'QuantizeLinear' || n.op === 'DequantizeLinear') continue;
    const ins = n.inputs.map((v) => producer.get(v)).filter((p): p is Node => p?.op === 'DequantizeLinear' && isActivation(p)).map(zpType);
    const outs = n.outputs.flatMap((o) => (readers.get(o) ?? []).filter((r) => r.op === 'QuantizeLinear')).map(zpType);
    const unit = new Set([...ins, ...outs]);
    if (unit.size !== 1) bad.push(`${n.op} ${n.name} unit has activation types ${[...unit].join(', ') || 'none'}`);
    const [inDq, wDq, bDq] = [0, 1, 2].map((i) => producer.get(n.inputs[i] ?? ''));
    if (bDq?.op === 'DequantizeLinear' && wDq?.op === 'DequantizeLinear' && inDq?.op === 'DequantizeLinear') {
      const num = (name: string) => Array.from(tensorValues(g.initializers.get(name)!), Number);
      const [s] = num(inDq.inputs[1]);
      const ws = num(wDq.inputs[1]);
      if (num(bDq.inputs[1]).some((b, c) => Math.abs(b - s * ws[ws.length === 1 ? 0 : c]) > 1e-6 * b)) bad.push(`${n.op} ${n.name} bias scale is not input × weight scale`);
    }
  }
  return { bad, converts, types };
}

const digits = (() => {
  const b = mnistBatches('test', 100).next().value!;
  return Array.from({ length: 100 }, (_, i) => b.input.slice(i * 784, (i + 1) * 784));
})();

/** LeNet's logits on the 100 held-out digits, Q/DQ run as written (no host integer kernel). */
async function logits(file: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled' });
  const out: number[] = [];
  for (const x of digits) out.push(...((await s.run({ input: new ort.Tensor('float32', x, [1, 1, 28, 28]) })).logits.data as Float32Array));
  await s.release();
  return Float32Array.from(out);
}

function psnr(ref: Float32Array, got: Float32Array): number {
  let mse = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < ref.length; i++) { mse += (ref[i] - got[i]) ** 2; lo = Math.min(lo, ref[i]); hi = Math.max(hi, ref[i]); }
  return 10 * Math.log10((hi - lo) ** 2 / (mse / ref.length));
}

/** LeNet's float32 activations after QNN preparation, inputs first then in execution order. */
async function lenetActivations(): Promise<string[]> {
  const { model } = await prepareForQnn(await readModel(DEFAULT_MODEL.path), undefined, undefined);
  const types = inferTypes(model, { tolerant: true });
  return [...model.graph.inputs.map((v) => v.name), ...toposort(model.graph).flatMap((n) => n.outputs)].filter((v) => { const t = types.get(v); return t?.kind === 'tensor' && t.dtype === 'float32'; });
}

const reference = await logits(DEFAULT_MODEL.path);
const calibration = { calibration: mnistSource('train'), limit: 200, ptq: [] };

test('LeNet-5 qnn w8a8 with 16-bit values in the middle: one type per unit, converts both ways, every node on the NPU, runs in onnxruntime', async () => {
  const activations = await lenetActivations();
  // A 16-bit island: from the first Conv's output to the first Gemm's input (8 → 16 and 16 → 8 boundaries). The first
  // Conv then runs at 16 bits on a converted input, so its bias must follow the new input scale.
  const wide = activations.slice(1, 7);
  await assert.rejects(compileToQnn(await readModel(DEFAULT_MODEL.path), { ...calibration, wideValues: [...wide, 'no_such_value'] }), /16-bit values not in the prepared model: no_such_value/);
  const { model, report } = await compileToQnn(await readModel(DEFAULT_MODEL.path), { ...calibration, wideValues: wide });
  const { bad, converts, types } = mixedViolations(model);
  assert.deepEqual(bad, []);
  assert.deepEqual([...types].sort(), ['uint16', 'uint8']);
  assert.ok(converts['uint8→uint16'] >= 1 && converts['uint16→uint8'] >= 1, JSON.stringify(converts));
  assert.equal(report.mixed?.converts, Object.values(converts).reduce((a, b) => a + b, 0));
  const placement = qnnPlacement(model);
  assert.equal(placement.counts.cpu, 0, JSON.stringify(placement.nodes.filter((n) => n.placement === 'cpu').slice(0, 3)));
  const mixedFile = join(dir, 'mixed.onnx'), plainFile = join(dir, 'plain.onnx');
  await writeModel(model, mixedFile, { format: 'onnx' });
  await writeModel((await compileToQnn(await readModel(DEFAULT_MODEL.path), calibration)).model, plainFile, { format: 'onnx' });
  const [mixedDb, plainDb] = [psnr(reference, await logits(mixedFile)), psnr(reference, await logits(plainFile))];
  // LeNet's error is its 8-bit logits', so a 16-bit island moves it by noise only (±0.2 dB); a convert on a wrong range
  // or a bias left at the old input scale costs far more.
  assert.ok(mixedDb >= plainDb - 0.5, `mixed ${mixedDb.toFixed(2)} dB, all 8-bit ${plainDb.toFixed(2)} dB`);
  // Every activation at 16 bits (no converts left) is worth what w8a16 is: well above all-8-bit.
  const allWide = join(dir, 'all-wide.onnx');
  const wideAll = await compileToQnn(await readModel(DEFAULT_MODEL.path), { ...calibration, wideValues: activations });
  assert.equal(wideAll.report.mixed?.converts, 0);
  await writeModel(wideAll.model, allWide, { format: 'onnx' });
  const allDb = psnr(reference, await logits(allWide));
  assert.ok(allDb >= plainDb + 6, `all 16-bit ${allDb.toFixed(2)} dB, all 8-bit ${plainDb.toFixed(2)} dB`);
});

test('placement flags a unit mixing uint8 and uint16 (plain quantize with 16-bit values), and the compiler leaves none', async () => {
  const activations = await lenetActivations();
  const wide = activations.slice(0, 3);
  const { model: plain } = await quantizeModel(await prepareForQnn(await readModel(DEFAULT_MODEL.path), undefined, undefined).then((p) => p.model), {
    scheme: 'w8a8', target: 'qnn', calibration: { source: mnistSource('train'), limit: 50 }, perChannel: true, symmetric: true, runPasses: false, wideValues: wide,
  });
  const flagged = qnnPlacement(plain).nodes.filter((n) => n.reasons.some((r) => r.code === 'mixed-unit-dtype'));
  assert.ok(flagged.length >= 1);
  assert.match(flagged[0].reasons.find((r) => r.code === 'mixed-unit-dtype')!.message, /uint16 and uint8|uint8 and uint16/);
  const { model } = await compileToQnn(await readModel(DEFAULT_MODEL.path), { ...calibration, wideValues: wide });
  assert.equal(qnnPlacement(model).reasons['mixed-unit-dtype'], undefined);
});

test('compile --target qnn --mixed-target-psnr: the written model meets the target on held-out digits, measured again here; --wide-values compiles the same mix again', async () => {
  const out = join(dir, 'cli-mixed.onnx');
  // All-8-bit LeNet measures ~42 dB here and all-16-bit ~54: 50 needs some 16-bit values, not all.
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'compile', DEFAULT_MODEL.path, '--target', 'qnn', '--calibration', 'mnist:train', '--limit', '200', '--ptq', 'none',
    '--validation', 'mnist:test', '--mixed-target-psnr', '50', '-o', out, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.mixedPrecision.met, true);
  const lifted = report.mixedPrecision.sixteenBit.values.length;
  assert.ok(lifted > 0 && lifted < report.mixedPrecision.sixteenBit.of, `${lifted} of ${report.mixedPrecision.sixteenBit.of} lifted`);
  const model = await readModel(out);
  assert.deepEqual(mixedViolations(model).bad, []);
  assert.equal(qnnPlacement(model).counts.cpu, 0);
  // The report's figure is on the first 32 test digits; here on 100 of them, through onnxruntime.
  const db = psnr(reference, await logits(out));
  assert.ok(db >= 49, `${db.toFixed(2)} dB on 100 held-out digits (reported ${report.mixedPrecision.psnr.toFixed(2)} on 32)`);
  assert.match(formatQnnMixed(report.mixedPrecision, report), /--wide-values/);
  // The listed values compile the same mix again without the search: the same bytes, but for the provenance's date.
  const again = join(dir, 'cli-wide-values.onnx');
  const w = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'compile', DEFAULT_MODEL.path, '--target', 'qnn', '--calibration', 'mnist:train', '--limit', '200', '--ptq', 'none',
    '--wide-values', report.mixedPrecision.sixteenBit.values.join(','), '-o', again, '--json'], { encoding: 'utf8' });
  assert.equal(w.status, 0, w.stderr);
  assert.equal(JSON.parse(w.stdout).qnn.mixed.wideValues, lifted);
  const undated = (file: string) => readFileSync(file).toString('latin1').replace(/"date\\?":\\?"[^"\\]*\\?"/g, '');
  assert.ok(undated(again) === undated(out), 'the --wide-values compile differs from the searched model');
});

test('compile --target qnn refuses --mixed-target-psnr with 16-bit precisions, --int8-weights outside w4a16, and --wide-values outside w8a8, with the search or unknown, in one line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, 'compile', DEFAULT_MODEL.path, '--target', 'qnn', '--calibration', 'mnist:train', '-o', join(dir, 'x.onnx'), ...args], { encoding: 'utf8' });
  const a = run('--precision', 'w8a16', '--mixed-target-psnr', '40');
  assert.equal(a.status, 2);
  assert.match(a.stderr.trim(), /^[^\n]*--mixed-target-psnr[^\n]*w8a8[^\n]*$/);
  const b = run('--int8-weights', 'conv1');
  assert.equal(b.status, 2);
  assert.match(b.stderr.trim(), /^[^\n]*--int8-weights is for --target qnn --precision w4a16[^\n]*$/);
  const c = run('--precision', 'w8a16', '--wide-values', 'x');
  assert.equal(c.status, 2);
  assert.match(c.stderr.trim(), /^[^\n]*--wide-values is for --target qnn --precision w8a8[^\n]*$/);
  const d = run('--wide-values', 'x', '--mixed-target-psnr', '40');
  assert.equal(d.status, 2);
  assert.match(d.stderr.trim(), /^[^\n]*--mixed-target-psnr finds the --wide-values list itself[^\n]*$/);
  const e = run('--wide-values', 'no_such_value');
  assert.equal(e.status, 2);
  assert.match(e.stderr.trim(), /^[^\n]*16-bit values not in the prepared model: no_such_value[^\n]*$/);
});

test('compile --target qnn --precision w4a16 --int8-weights: the named layer keeps int8 weights, the rest int4, every node on the NPU', async () => {
  const out = join(dir, 'w4mix.onnx');
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'compile', DEFAULT_MODEL.path, '--target', 'qnn', '--precision', 'w4a16', '--calibration', 'mnist:train', '--limit', '100',
    '--ptq', 'none', '--int8-weights', '/conv1/Conv', '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const model = await readModel(out);
  const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const weightType = (n: Node) => model.graph.initializers.get(producer.get(n.inputs[1])?.inputs[0] ?? '')?.dtype;
  const weighted = model.graph.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm');
  assert.deepEqual(weighted.map((n) => [n.name, weightType(n)]), weighted.map((n) => [n.name, n.name === '/conv1/Conv' ? 'int8' : 'int4']));
  assert.equal(qnnPlacement(model).counts.cpu, 0);
});

test('a Sigmoid at a precision boundary: its fixed encoding holds on both sides, and converts cover what it can output', async () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 3, 8, 8]);
  // Small weights: the Sigmoid sees [-0.5, 0.5], so its calibrated range ([0, ~0.62]) is far narrower than its fixed grid.
  const c1 = b.op('Conv', [x, b.initializer('w1', 'float32', [4, 3, 3, 3], seededFloats(108, 1).map((v) => v * 0.1)), b.initializer('b1', 'float32', [4], seededFloats(4, 2).map((v) => v * 0.1))], { pads: [1, 1, 1, 1] }, { output: 'pre' });
  const s = b.op('Sigmoid', [c1], {}, { output: 'sig' });
  b.op('Conv', [s, b.initializer('w2', 'float32', [2, 4, 1, 1], seededFloats(8, 3)), b.initializer('b2', 'float32', [2], seededFloats(2, 4))], {}, { output: 'y' });
  b.output('y');
  const float = b.build();
  for (const wide of [['y'], ['sig']]) {
    const { model, report } = await compileToQnn(structuredClone(float), { calibration: randomSource(modelInputs(float), { count: 16, seed: 5, range: [-1, 1] }), ptq: [], wideValues: wide });
    assert.ok((report.mixed?.converts ?? 0) >= 1, `${wide}: ${JSON.stringify(report.mixed)}`);
    assert.deepEqual(mixedViolations(model).bad, [], `wide ${wide}`);
    const placement = qnnPlacement(model);
    assert.equal(placement.counts.cpu, 0, `wide ${wide}: ${JSON.stringify(placement.nodes.filter((n) => n.placement === 'cpu').map((n) => n.reasons))}`);
  }
});
