// The stages every mutant goes through, as the CLI runs them (read, inspect, quantize fp16/w8a8, compile onnx/tflite); each written output must read back verified.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../src/compile/compile.ts';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { randomSource } from '../../src/data/random.ts';
import { readVerifiedModel } from '../../src/formats/read-verified.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { inspectModel } from '../../src/inspect.ts';
import type { Dim, Model } from '../../src/ir/graph.ts';
import { applyInputShapes } from '../../src/ir/input-shapes.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { classify, type StageResult } from './classify.ts';
import type { Mutant } from './mutant.ts';

/** Stage names, in the order they run. */
export const STAGES = ['read', 'inspect', 'quantize-fp16', 'quantize-w8a8', 'compile-onnx', 'compile-tflite'] as const;
/** A stage name. */
export type Stage = (typeof STAGES)[number];

/**
 * The seed's shapes for the mutant's dynamic dims, as `--input-shape` would give them: only for inputs that exist,
 * with the model's fixed dims kept (so a mutated dim stays what the mutant declares).
 */
function inputShapes(model: Model, seedShapes: Record<string, number[]> = {}): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const input of modelInputs(model)) {
    const given = seedShapes[input.name];
    const shape: readonly Dim[] = input.shape;
    if (!given || given.length !== shape.length || shape.slice(1).every((d) => typeof d === 'number')) continue;
    out[input.name] = shape.map((d, i) => (typeof d === 'number' ? d : given[i]));
  }
  return out;
}

/** Re-reads a written output through the verifier: an output `inspect` would refuse is a bug, reported as non-clean. */
async function checkOutput(path: string): Promise<void> {
  try {
    await readVerifiedModel(path);
  } catch (e) {
    throw new Error(`the written output does not read back: ${(e as Error).message}`, { cause: e });
  }
}

/** Runs every stage on `mutant`, reporting each result as it ends; the others are skipped when reading fails. */
export async function runStages(mutant: Mutant, work: string, report: (stage: Stage, result: StageResult) => void): Promise<void> {
  const { file } = mutant;
  let shapes: Record<string, number[]> = {};
  const run = async (stage: Stage, fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      report(stage, { outcome: 'ok' });
      return true;
    } catch (e) {
      report(stage, classify(e));
      return false;
    }
  };
  const skipRest = (from: number) => STAGES.slice(from).forEach((s) => report(s, { outcome: 'skipped' }));
  if (!(await run('read', async () => { shapes = inputShapes(await readModel(file), mutant.seed.inputShapes); }))) return skipRest(1);
  await run('inspect', () => inspectModel(file));
  const out = (name: string) => join(work, `${mutant.index}-${name}`);
  try {
    await run('quantize-fp16', async () => {
      const { model } = await readVerifiedModel(file);
      const { model: q } = await quantizeModel(model, { scheme: 'fp16' });
      await writeModel(q, out('fp16.onnx'));
      await checkOutput(out('fp16.onnx'));
    });
    await run('quantize-w8a8', async () => {
      const { model } = await readVerifiedModel(file);
      const source = randomSource(applyInputShapes(modelInputs(model), shapes), { count: 2, seed: mutant.index });
      const { model: q } = await quantizeModel(model, { scheme: 'w8a8', calibration: { source, limit: 2 } });
      await writeModel(q, out('w8a8.onnx'));
      await checkOutput(out('w8a8.onnx'));
    });
    await run('compile-onnx', async () => {
      await compileFile(file, out('compiled.onnx'), { target: 'onnx', inputShapes: shapes });
      await checkOutput(out('compiled.onnx'));
    });
    await run('compile-tflite', async () => {
      await compileFile(file, out('compiled.tflite'), { target: 'tflite', inputShapes: shapes });
      await checkOutput(out('compiled.tflite'));
    });
  } finally {
    for (const name of ['fp16.onnx', 'w8a8.onnx', 'compiled.onnx', 'compiled.tflite']) rmSync(out(name), { force: true });
  }
}
