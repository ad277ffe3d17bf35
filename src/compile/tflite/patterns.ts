// IR rewrites before emission: x · clip(x + 3, 0, 6) / 6 (how exporters spell hard-swish) becomes one HardSwish node.
import type { Model, Node } from '../../ir/graph.ts';
import { tensorFloats } from '../../ir/tensor.ts';
import { consumers, producers } from '../../ir/toposort.ts';
import { constantOf, graphOutputNames } from '../../passes/graph-edit.ts';
import { clipBounds } from './fusion.ts';

function scalar(model: Model, name: string): number | undefined {
  const t = name ? constantOf(model.graph, name) : undefined;
  return t && t.dims.every((d) => d === 1) ? tensorFloats(t)[0] : undefined;
}

/** Replaces every hard-swish spelled as Add/Clip/Mul/Div (or Mul by 1/6) with a HardSwish node; returns how many. */
export function fuseHardSwish(model: Model): number {
  const g = model.graph;
  const prod = producers(g);
  const cons = consumers(g);
  const outs = graphOutputNames(g);
  const private1 = (v: string) => !outs.has(v) && (cons.get(v)?.length ?? 0) === 1;
  const doomed = new Set<Node>();
  const replace = new Map<Node, Node>();
  for (const last of g.nodes) {
    const isDiv = last.op === 'Div' && Math.abs((scalar(model, last.inputs[1]) ?? 0) - 6) < 1e-6;
    const isMul = last.op === 'Mul' && [0, 1].some((i) => Math.abs((scalar(model, last.inputs[i]) ?? 0) - 1 / 6) < 1e-6);
    if (!isDiv && !isMul) continue;
    const mulIn = isDiv ? last.inputs[0] : last.inputs.find((n) => scalar(model, n) === undefined) ?? '';
    const mul = prod.get(mulIn);
    if (!mul || mul.op !== 'Mul' || !private1(mulIn)) continue;
    for (const k of [0, 1]) {
      const x = mul.inputs[k];
      const clip = prod.get(mul.inputs[1 - k]);
      if (!clip || clip.op !== 'Clip' || !private1(clip.outputs[0])) continue;
      const b = clipBounds(model, clip);
      if (!b || b[0] !== 0 || b[1] !== 6) continue;
      const add = prod.get(clip.inputs[0]);
      if (!add || add.op !== 'Add' || !private1(add.outputs[0])) continue;
      const j = add.inputs.indexOf(x);
      if (j < 0 || scalar(model, add.inputs[1 - j]) !== 3) continue;
      if ([add, clip, mul, last].some((n) => doomed.has(n))) continue;
      for (const n of [add, clip, mul]) doomed.add(n);
      replace.set(last, { op: 'HardSwish', domain: '', name: last.name, inputs: [x], outputs: [last.outputs[0]], attributes: new Map() });
      break;
    }
  }
  g.nodes = g.nodes.filter((n) => !doomed.has(n)).map((n) => replace.get(n) ?? n);
  return replace.size;
}
