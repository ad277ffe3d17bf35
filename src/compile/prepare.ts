// Makes a model compilable: fixes symbolic input dims (batch → 1, others from the caller) and given input values, folds Ifs, runs the default passes.
import { checkShapeNames, parseInputShapes, resolveInputShape, type InputShapes } from '../ir/input-shapes.ts';
import { GraphError } from '../errors.ts';
import type { Model } from '../ir/graph.ts';
import { assertValid } from '../ir/verify.ts';
import type { InputValues } from '../ir/input-values.ts';
import { DEFAULT_PASSES, foldIfPass, runPasses, unrollLoopPass, type Pass, type PassStats } from '../passes/index.ts';
import { ortEvaluator } from '../runtimes/ort-node-evaluator.ts';

/**
 * Gives every real input a static shape: `shapes[name]` if given (its rank must match), else the
 * declared shape with a symbolic first (batch) dim set to 1. Other unknown dims are an error naming the input.
 * Intermediate value infos are dropped so that inference recomputes them from the new shapes, and the graph is verified
 * again with them (a GraphError names the shapes).
 */
export function fixInputShapes(model: Model, shapes: InputShapes = {}): void {
  const g = model.graph;
  const inputs = g.inputs.filter((vi) => !g.initializers.has(vi.name) && vi.type.kind === 'tensor');
  checkShapeNames(shapes, g.inputs.map((vi) => ({ name: vi.name, shape: vi.type.kind === 'tensor' ? vi.type.shape ?? [] : [] })));
  for (const vi of inputs) {
    if (vi.type.kind !== 'tensor') continue;
    vi.type = { ...vi.type, shape: resolveInputShape({ name: vi.name, shape: vi.type.shape ?? [] }, shapes[vi.name]) };
  }
  g.valueInfo.clear();
  for (const vo of g.outputs) if (vo.type.kind === 'tensor') vo.type = { kind: 'tensor', dtype: vo.type.dtype };
  // Fixed shapes can expose what symbolic ones hid (a broadcast that only fits some sizes): check again, naming them.
  try {
    assertValid(model);
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    const given = inputs.map((vi) => `${vi.name}=[${vi.type.kind === 'tensor' ? vi.type.shape?.join(',') : ''}]`).join(' ');
    throw new GraphError(`with input shapes ${given}: ${e.message}`, { cause: e });
  }
}

/**
 * Fixes input shapes, fixes the inputs given `inputValues` to constants and inlines every If whose condition is then
 * constant (fold-if, run when there are values or Ifs), and runs DEFAULT_PASSES (BN folding, constant folding, …);
 * returns the pass statistics.
 */
export async function prepareForCompile(model: Model, shapes?: InputShapes, inputValues?: InputValues): Promise<{ model: Model; passes: PassStats[] }> {
  fixInputShapes(model, shapes);
  const { model: out, stats } = await runPasses(model, compilePasses(model, inputValues, { unrollLoops: true }));
  return { model: out, passes: stats };
}

/**
 * DEFAULT_PASSES, led by fold-if (with `inputValues`) when values are given or the model has an If, and by unroll-loop
 * when asked (TFLite has no Loop mapping) and the model has a Loop.
 */
export function compilePasses(model: Model, inputValues?: InputValues, options: { unrollLoops?: boolean } = {}): readonly Pass[] {
  const has = (op: string) => model.graph.nodes.some((n) => n.op === op);
  const lead: Pass[] = [];
  if ((inputValues?.size ?? 0) > 0 || has('If')) lead.push(foldIfPass({ evaluate: ortEvaluator, ...(inputValues ? { inputValues } : {}) }));
  // Ifs inside an unrolled body may now have constant conditions (e.g. on the iteration number): fold-if again.
  if (options.unrollLoops && has('Loop')) lead.push(unrollLoopPass({ evaluate: ortEvaluator }), foldIfPass({ evaluate: ortEvaluator }));
  return lead.length ? [...lead, ...DEFAULT_PASSES] : DEFAULT_PASSES;
}

export { parseInputShapes, type InputShapes };
