// Makes a model compilable: fixes symbolic input dims (batch → 1, others from the caller), then runs the default passes.
import { UsageError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import { DEFAULT_PASSES, runPasses, type PassStats } from '../../passes/index.ts';

/** Fixed input shapes by input name, e.g. { x: [1, 3, 48, 192] }. */
export type InputShapes = Record<string, number[]>;

/**
 * Gives every real input a static shape: `shapes[name]` if given (its rank must match), else the
 * declared shape with a symbolic first (batch) dim set to 1. Other unknown dims are an error naming the input.
 * Intermediate value infos are dropped so that inference recomputes them from the new shapes.
 */
export function fixInputShapes(model: Model, shapes: InputShapes = {}): void {
  const g = model.graph;
  for (const name of Object.keys(shapes)) {
    if (!g.inputs.some((i) => i.name === name)) throw new UsageError(`--input-shape names '${name}', which is not a model input (inputs: ${g.inputs.map((i) => i.name).join(', ')})`);
  }
  for (const vi of g.inputs) {
    if (g.initializers.has(vi.name) || vi.type.kind !== 'tensor') continue;
    const declared = vi.type.shape ?? [];
    const given = shapes[vi.name];
    if (given && declared.length && given.length !== declared.length) throw new UsageError(`input '${vi.name}' has rank ${declared.length}, --input-shape gives ${given.length} dims`);
    const fixed = given ?? declared.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : null));
    if (fixed.some((d) => d === null)) {
      throw new UsageError(`input '${vi.name}' has unknown dims [${declared.map((d) => d ?? '?').join(',')}]; give them with --input-shape ${vi.name}=${declared.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : 'N')).join(',')}`);
    }
    vi.type = { ...vi.type, shape: fixed as number[] };
  }
  g.valueInfo.clear();
  for (const vo of g.outputs) if (vo.type.kind === 'tensor') vo.type = { kind: 'tensor', dtype: vo.type.dtype };
}

/** Fixes input shapes and runs DEFAULT_PASSES (BN folding, constant folding, …); returns the pass statistics. */
export async function prepareForCompile(model: Model, shapes?: InputShapes): Promise<{ model: Model; passes: PassStats[] }> {
  fixInputShapes(model, shapes);
  const { model: out, stats } = await runPasses(model, DEFAULT_PASSES);
  return { model: out, passes: stats };
}

/** Parses `name=1,3,48,192` (repeatable, or `;`-separated) into input shapes. */
export function parseInputShapes(specs: string[]): InputShapes {
  const out: InputShapes = {};
  for (const spec of specs.flatMap((s) => s.split(';')).filter(Boolean)) {
    const eq = spec.lastIndexOf('=');
    const dims = spec.slice(eq + 1).split(',').map(Number);
    if (eq <= 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw new UsageError(`--input-shape expects NAME=D1,D2,… with positive integers, got '${spec}'`);
    out[spec.slice(0, eq)] = dims;
  }
  return out;
}
