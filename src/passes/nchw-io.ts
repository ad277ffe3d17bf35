// Used by the TFLite and TF.js lifts: declares a lifted model's rank-4 inputs and outputs NCHW, with Transposes to the NHWC values inside (then cancelled).
import type { Model, Node } from '../ir/graph.ts';
import { renameValue } from './graph-edit.ts';
import { ints, TO_NCHW, TO_NHWC } from './lift-tflite/context.ts';

/** Anything that hands out fresh value names (a lift context). */
type Namer = { name(base: string): string };

function transposeNode(ctx: Namer, input: string, output: string, perm: number[]): Node {
  return { op: 'Transpose', domain: '', name: ctx.name(`Transpose_${output}`), inputs: [input], outputs: [output], attributes: new Map([['perm', ints(perm)]]) };
}

/** Rewrites the graph boundary of `model` to NCHW for every rank-4 input and output (`ctx.name` gives fresh names). */
export function nchwIo(model: Model, ctx: Namer): void {
  const graph = model.graph;
  const permute = <T>(dims: readonly T[], perm: number[]): T[] => perm.map((p) => dims[p]);
  for (const input of graph.inputs) {
    if (input.type.kind !== 'tensor' || input.type.shape?.length !== 4) continue;
    const inner = ctx.name(`${input.name}_nhwc`);
    for (const n of graph.nodes) n.inputs = n.inputs.map((x) => (x === input.name ? inner : x));
    graph.nodes.unshift(transposeNode(ctx, input.name, inner, TO_NHWC));
    input.type = { ...input.type, shape: permute(input.type.shape, TO_NCHW) };
  }
  for (const output of graph.outputs) {
    if (output.type.kind !== 'tensor' || output.type.shape?.length !== 4) continue;
    const name = output.name;
    const inner = ctx.name(`${name}_nhwc`);
    renameValue(graph, name, inner);
    graph.nodes.push(transposeNode(ctx, inner, name, TO_NCHW));
    output.name = name;
    output.type = { ...output.type, shape: permute(output.type.shape, TO_NCHW) };
  }
}

/** One error for a lift that left nodes unlifted: lists the first few with why, counts the rest. */
export function unliftableMessage(what: string, unliftable: readonly { node: string; op: string; why: string }[], maxListed = 10): string {
  const listed = unliftable.slice(0, maxListed).map((u) => `node '${u.node}' (${u.op}): ${u.why}`).join('; ');
  const more = unliftable.length > maxListed ? `; and ${unliftable.length - maxListed} more` : '';
  return `cannot lift ${unliftable.length} ${what} op(s) to ONNX: ${listed}${more}`;
}
