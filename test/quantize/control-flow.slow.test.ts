// Quantization inside If/Loop bodies and of LSTM/GRU: the PyTorch fixtures quantized for real, judged by the exact execution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { formatQuantizeReport, type QuantizeReport } from '../../src/quantize/report.ts';
import type { Scheme } from '../../src/quantize/schemes.ts';
import { scopedGraphs } from '../../src/quantize/subgraphs.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { exampleSource, flag, lstmStates, mnistRowExamples, vadExamples, type Example, INT8_DYNAMIC_FLOOR } from './recurrent-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-control-flow-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => join(PACKAGE_ROOT, 'test', 'fixtures', 'torch', `${name}.onnx`);

/** Calibration examples per fixture (training images; seeded audio with both sample rates, so both If branches run). */
const CALIBRATION = 160;
/** Held-out examples per evaluation (test images from the start of the split; audio from another seed). */
const HELD_OUT = 160;

interface Case {
  fixture: string;
  calibration: () => Iterable<Example>;
  /** Held-out sets, each judged on its own (if.onnx: one per branch). */
  heldOut: Record<string, () => Iterable<Example>>;
  /** The first output is class logits (top-1 agreement is checked). */
  classifier: boolean;
  /** The model has control flow whose bodies must end up quantized. */
  bodies: boolean;
}

const CASES: Case[] = [
  {
    fixture: 'lstm', classifier: true, bodies: false,
    calibration: () => mnistRowExamples('train', 0, CALIBRATION, () => lstmStates()),
    heldOut: { 'seeded states': () => mnistRowExamples('test', 0, HELD_OUT, (i) => lstmStates(1000 + i)) },
  },
  {
    fixture: 'gru', classifier: true, bodies: false,
    calibration: () => mnistRowExamples('train', 0, CALIBRATION),
    heldOut: { test: () => mnistRowExamples('test', 0, HELD_OUT) },
  },
  {
    fixture: 'if', classifier: true, bodies: true,
    calibration: () => mnistRowExamples('train', 0, CALIBRATION, (i) => flag(i % 2 === 0)),
    heldOut: {
      'flag true (LSTM head)': () => mnistRowExamples('test', 0, HELD_OUT, () => flag(true)),
      'flag false (GRU head)': () => mnistRowExamples('test', 0, HELD_OUT, () => flag(false)),
    },
  },
  {
    fixture: 'vad', classifier: false, bodies: true,
    calibration: () => vadExamples(1, CALIBRATION, (i) => (i % 2 ? 8000 : 16000)),
    heldOut: { 'sr 16000': () => vadExamples(2, HELD_OUT, () => 16000), 'sr 8000': () => vadExamples(3, HELD_OUT, () => 8000) },
  },
  {
    fixture: 'loop', classifier: true, bodies: true,
    calibration: () => mnistRowExamples('train', 0, CALIBRATION),
    heldOut: { test: () => mnistRowExamples('test', 0, HELD_OUT) },
  },
];

/**
 * Least PSNR (dB, worst output over every held-out set) and top-1 agreement each case must keep: a little under what
 * was measured (see the report in docs/quantization.md). w8a8 ≥ 30 dB and fp16 ≥ 45 dB are the floors asked for.
 */
// int8-dynamic figures come from onnxruntime's integer kernels (no exact execution exists for them): measured
// 39.5–79 dB with VNNI, lower on AVX2-only CPUs (U8S8 saturation), so their PSNR floor is the host-independent one.
const FLOORS: Record<string, Record<'w8a8' | 'int8-dynamic' | 'fp16', { psnr: number; agreement: number }>> = {
  lstm: { 'w8a8': { psnr: 44, agreement: 0.98 }, 'int8-dynamic': { psnr: INT8_DYNAMIC_FLOOR, agreement: 0.98 }, 'fp16': { psnr: 71, agreement: 1 } },
  gru: { 'w8a8': { psnr: 57, agreement: 0.99 }, 'int8-dynamic': { psnr: INT8_DYNAMIC_FLOOR, agreement: 0.99 }, 'fp16': { psnr: 79, agreement: 1 } },
  if: { 'w8a8': { psnr: 52, agreement: 0.98 }, 'int8-dynamic': { psnr: INT8_DYNAMIC_FLOOR, agreement: 0.98 }, 'fp16': { psnr: 79, agreement: 1 } },
  vad: { 'w8a8': { psnr: 49.5, agreement: 0 }, 'int8-dynamic': { psnr: INT8_DYNAMIC_FLOOR, agreement: 0 }, 'fp16': { psnr: 80, agreement: 0 } },
  loop: { 'w8a8': { psnr: 41, agreement: 0.93 }, 'int8-dynamic': { psnr: INT8_DYNAMIC_FLOOR, agreement: 0.96 }, 'fp16': { psnr: 72, agreement: 1 } },
};

/** DequantizeLinear nodes and float16 constants inside If/Loop/Scan bodies (not the main graph). */
function insideBodies(model: Model): { dequantize: number; float16: number; dynamic: number } {
  const bodies = scopedGraphs(model).filter((s) => s.owner);
  const nodes = bodies.flatMap((s) => s.graph.nodes);
  return {
    dequantize: nodes.filter((n) => n.op === 'DequantizeLinear').length,
    float16: bodies.reduce((sum, s) => sum + [...s.graph.initializers.values()].filter((t) => t.dtype === 'float16').length, 0),
    dynamic: nodes.filter((n) => n.domain === 'com.microsoft' && n.op.startsWith('DynamicQuantize')).length,
  };
}

function argmax(data: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i] > data[best]) best = i;
  return best;
}

/** PSNR per output and top-1 agreement of `candidate` against `reference`, both run by the exact execution. */
async function fidelity(reference: string, candidate: string, examples: Iterable<Example>): Promise<{ psnr: Record<string, number>; agreement: number }> {
  const runtime = await resolveRuntime({ name: 'onnx-reference' });
  const [ref, cand] = [await runtime.load(reference), await runtime.load(candidate)];
  try {
    const acc = new Map<string, FidelityAccumulator>();
    let agree = 0, n = 0;
    for (const e of examples) {
      const [r, c] = [await ref.run(e.inputs), await cand.run(e.inputs)];
      for (const name of Object.keys(r)) {
        if (!acc.has(name)) acc.set(name, new FidelityAccumulator());
        acc.get(name)!.add(r[name].data as Float32Array, c[name].data as Float32Array);
      }
      const first = Object.keys(r)[0];
      if (argmax(r[first].data as Float32Array) === argmax(c[first].data as Float32Array)) agree++;
      n++;
    }
    return { psnr: Object.fromEntries([...acc].map(([k, a]) => [k, a.result().psnr])), agreement: agree / n };
  } finally {
    await ref.release();
    await cand.release();
  }
}

/** Loads the model in onnxruntime-node (graph optimisations on, the host's kernels) and runs one example. */
async function loadsInOrt(path: string, example: Example): Promise<void> {
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(path);
  try {
    const out = await session.run(example.inputs);
    assert.ok(Object.values(out).every((t) => [...(t.data as Float32Array)].every(Number.isFinite)), `${path}: non-finite output in onnxruntime-node`);
  } finally {
    await session.release();
  }
}

function checkBodies(c: Case, scheme: Scheme, model: Model, report: QuantizeReport): void {
  if (!c.bodies) {
    assert.equal(report.subgraphs, undefined);
    return;
  }
  const inside = insideBodies(model);
  const subs = report.subgraphs ?? [];
  assert.ok(subs.length >= 1, 'the report has a line per body');
  for (const sub of subs) assert.ok(sub.quantized >= 1, `${c.fixture} ${scheme}: nothing quantized in ${sub.scope}`);
  if (scheme === 'w8a8') {
    assert.ok(inside.dequantize >= 2 * subs.length, `${c.fixture}: ${inside.dequantize} DequantizeLinear inside ${subs.length} bodies`);
    for (const sub of subs) assert.ok(sub.integerWeights >= 1 && sub.dequantizeLinear >= 2, `${c.fixture}: ${sub.scope} has ${sub.integerWeights} int8 weights, ${sub.dequantizeLinear} DQ`);
  } else if (scheme === 'int8-dynamic') {
    for (const sub of subs) assert.ok(sub.integerWeights >= 1, `${c.fixture}: ${sub.scope} has no int8 weight`);
  } else {
    assert.ok(inside.float16 >= subs.length, `${c.fixture}: ${inside.float16} float16 constants inside bodies`);
    for (const sub of subs) assert.ok(sub.float16Constants >= 1, `${c.fixture}: ${sub.scope} keeps no float16 constant`);
  }
}

for (const c of CASES) {
  for (const scheme of ['w8a8', 'int8-dynamic', 'fp16'] as const) {
    test(`${c.fixture}.onnx ${scheme}: loads in onnxruntime-node, ${c.bodies ? 'quantized inside its bodies, ' : ''}fidelity kept on held-out data`, async () => {
      const floor = FLOORS[c.fixture][scheme];
      const source = exampleSource(`${c.fixture} calibration`, CALIBRATION, c.calibration);
      const { model, report } = await quantizeModel(await readModel(fixture(c.fixture)), {
        scheme, ...(scheme === 'w8a8' ? { calibration: { source, limit: CALIBRATION } } : {}),
      });
      const out = join(dir, `${c.fixture}.${scheme}.onnx`);
      await writeModel(model, out);
      const [before, after] = [statSync(fixture(c.fixture)).size, statSync(out).size];
      console.log(`${c.fixture} ${scheme}:\n${formatQuantizeReport(report, { before, after })}`);
      checkBodies(c, scheme, model, report);
      // Weights dominate every fixture but the 10 KB loop.onnx (whose graph and names weigh as much as its weights).
      const share = before < 50_000 ? 0.8 : scheme === 'fp16' ? 0.6 : 0.4;
      assert.ok(after < before * share, `${c.fixture} ${scheme}: ${after} bytes of ${before}`);
      await loadsInOrt(out, c.calibration()[Symbol.iterator]().next().value!);
      for (const [label, examples] of Object.entries(c.heldOut)) {
        const f = await fidelity(fixture(c.fixture), out, examples());
        const worst = Math.min(...Object.values(f.psnr));
        console.log(`${c.fixture} ${scheme} [${label}]: PSNR ${Object.entries(f.psnr).map(([k, v]) => `${k} ${v.toFixed(1)} dB`).join(', ')}${c.classifier ? `, top-1 agreement ${(f.agreement * 100).toFixed(1)}%` : ''}`);
        assert.ok(worst >= floor.psnr, `${c.fixture} ${scheme} [${label}]: PSNR ${worst.toFixed(1)} dB < ${floor.psnr} dB`);
        if (c.classifier) assert.ok(f.agreement >= floor.agreement, `${c.fixture} ${scheme} [${label}]: top-1 agreement ${f.agreement}`);
      }
    });
  }
}
