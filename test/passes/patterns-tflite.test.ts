// The TFLite compiler fuses through passes/patterns: decomposed GELU, LayerNorm and hard-swish become single ops, and the
// .tflite (run in LiteRT.js) matches the unfused ONNX model in onnxruntime.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileToTflite } from '../../src/compile/compile.ts';
import { builtinName } from '../../src/formats/tflite/schema/enums.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { cloneModel, maxAbsDiff, runModel, seededFloats } from './helpers.ts';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-patterns-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

const DIMS = [1, 6, 16];

/** A transformer-like block as an exporter writes it below opset 14: Linear → erf GELU → LayerNorm → tanh GELU → hard-swish. */
function block(): Model {
  const b = new ModelBuilder({ opset: 13 });
  const s = (name: string, v: number) => b.initializer(name, 'float32', [], Float32Array.of(v));
  const x = b.input('x', 'float32', DIMS);
  const h = b.op('Add', [b.op('MatMul', [x, b.initializer('w', 'float32', [16, 16], seededFloats(256, 1, -0.5, 0.5))]), b.initializer('b', 'float32', [16], seededFloats(16, 2))]);
  const g = b.op('Mul', [b.op('Mul', [h, s('half', 0.5)]), b.op('Add', [b.op('Erf', [b.op('Div', [h, s('sqrt2', Math.SQRT2)])]), s('one', 1)])]);
  const d = b.op('Sub', [g, b.op('ReduceMean', [g], { axes: [-1] })]);
  const std = b.op('Sqrt', [b.op('Add', [b.op('ReduceMean', [b.op('Pow', [d, s('two', 2)])], { axes: [-1] }), s('eps', 1e-5)])]);
  const ln = b.op('Add', [b.op('Mul', [b.op('Div', [d, std]), b.initializer('gamma', 'float32', [16], seededFloats(16, 3, 0.5, 1.5))]), b.initializer('beta', 'float32', [16], seededFloats(16, 4))]);
  const inner = b.op('Add', [ln, b.op('Mul', [s('c', 0.044715), b.op('Pow', [ln, s('three', 3)])])]);
  const t = b.op('Mul', [b.op('Mul', [ln, s('half2', 0.5)]), b.op('Add', [b.op('Tanh', [b.op('Mul', [inner, s('k', Math.sqrt(2 / Math.PI))])]), s('one2', 1)])]);
  const clip = b.op('Clip', [b.op('Add', [t, s('three2', 3)]), s('zero', 0), s('six', 6)]);
  b.op('Div', [b.op('Mul', [t, clip]), s('six2', 6)], {}, { output: 'y' });
  b.output('y');
  return b.build();
}

test('the TFLite compiler fuses GELU (erf and tanh), LayerNorm and hard-swish; LiteRT matches onnxruntime', async () => {
  const model = block();
  const reference = cloneModel(model);
  const { tflite, bytes, report } = await compileToTflite(model);
  assert.deepEqual(
    [report.patternsFused.gelu, report.patternsFused['gelu-tanh'], report.patternsFused['layer-norm'], report.patternsFused['hard-swish'], report.hardSwishFused],
    [1, 1, 1, 1, 1],
  );
  assert.equal(report.patternsFused['hard-sigmoid'], undefined, 'hard-sigmoid spellings are left to the emitters');
  const ops = tflite.subgraphs[0].operators.map((o) => builtinName(tflite.operator_codes[o.opcode_index].builtin_code));
  assert.equal(ops.filter((o) => o === 'GELU').length, 2, ops.join(' '));
  assert.equal(ops.filter((o) => o === 'HARD_SWISH').length, 1, ops.join(' '));
  assert.ok(!ops.includes('TANH') && !ops.includes('POW'), ops.join(' '));
  const path = join(dir, 'block.tflite');
  writeFileSync(path, bytes);
  const data = seededFloats(DIMS.reduce((a, b) => a * b), 9, -2, 2);
  const ref = (await runModel(reference, { x: { dims: DIMS, data } })).y as Float32Array;
  const session = await litertRuntime.load(path);
  try {
    const out = await session.run({ [session.inputs[0].name]: { dtype: 'float32', dims: DIMS, data } });
    const got = out[session.outputs[0].name].data as Float32Array;
    assert.ok(maxAbsDiff(ref, got) < 1e-4, `max abs diff ${maxAbsDiff(ref, got)}`);
  } finally {
    await session.release();
  }
});
