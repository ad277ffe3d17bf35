// Pad → PAD / PADV2 (constant, negative pads cropped by a SLICE), MIRROR_PAD (reflect), or GATHERs with clamped / wrapped indices (edge, wrap).
import { attrInts, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { permuteDims } from '../layout.ts';

/** ONNX pads as [begin…, end…] over every axis (opset 18 `axes` expanded). */
function fullPads(node: Node, ctx: EmitContext, rank: number): number[] {
  const pads = ctx.opset < 11 ? attrInts(node, 'pads', []) : ctx.constInts(node.inputs[1], 'pads');
  if (ctx.opset < 18 || !node.inputs[3]) return pads;
  const axes = ctx.constInts(node.inputs[3], 'axes').map((a) => (a < 0 ? a + rank : a));
  const full = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => { full[a] = pads[i]; full[a + rank] = pads[i + axes.length]; });
  return full;
}

/** Emits ONNX Pad in the input's stored layout. */
export function emitPad(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const { perm } = ctx.emitted(x);
  const shape = ctx.shape(x);
  const rank = perm.length;
  const mode = attrString(node, 'mode', 'constant');
  const pads = fullPads(node, ctx, rank);
  const y = node.outputs[0];
  let cur = ctx.input(x);
  if (mode === 'edge' || mode === 'wrap') {
    // Each padded axis is one GATHER whose indices repeat the border (edge) or continue cyclically (wrap).
    const dims = [...ctx.draft.graph.tensors[cur].shape];
    const padded = perm.map((a, i) => ({ a, i })).filter(({ a }) => pads[a] !== 0 || pads[a + rank] !== 0);
    // onnxruntime wraps at most once around an axis; wider wrap padding has no agreed meaning to reproduce.
    if (mode === 'wrap' && padded.some(({ a }) => Math.max(pads[a], pads[a + rank]) > shape[a])) throw new Unmappable('wrap padding wider than the axis');
    padded.forEach(({ a, i }, k) => {
      const n = shape[a];
      const size = n + pads[a] + pads[a + rank];
      const indices = Array.from({ length: size }, (_, j) => (mode === 'edge' ? Math.min(Math.max(j - pads[a], 0), n - 1) : (((j - pads[a]) % n) + n) % n));
      dims[i] = size;
      const next = k === padded.length - 1 ? ctx.define(y, perm) : ctx.temp(`${y}/axis${a}`, [...dims], { value: y });
      ctx.draft.op('GATHER', [cur, ctx.draft.int32(`${node.name}/indices${a}`, indices)], [next], node.name, { table: 'GatherOptions', values: { axis: i, batch_dims: 0 } });
      cur = next;
    });
    if (!padded.length) ctx.alias(y, ctx.emitted(x));
    return;
  }
  const grow = pads.map((p) => Math.max(p, 0));
  const crop = pads.some((p) => p < 0);
  if (crop && mode !== 'constant') throw new Unmappable(`negative pads (cropping) with mode '${mode}'`);
  const paddings = ctx.draft.int32(`${node.name}/paddings`, perm.flatMap((a) => [grow[a], grow[a + rank]]), [rank, 2]);
  const grown = shape.map((d, a) => d + grow[a] + grow[a + rank]);
  const out = crop ? ctx.temp(`${y}/padded`, permuteDims(grown, perm), { value: y }) : ctx.define(y, perm);
  const value = ctx.opset < 11 ? ctx.attrFloat(node, 'value', 0) : node.inputs[2] ? ctx.constFloats(node.inputs[2], 'constant_value')[0] : 0;
  if (mode === 'reflect') ctx.draft.op('MIRROR_PAD', [cur, paddings], [out], node.name, { table: 'MirrorPadOptions', values: { mode: 0 } });
  else if (mode !== 'constant') throw new Unmappable(`pad mode '${mode}'`);
  else if (value === 0) ctx.draft.op('PAD', [cur, paddings], [out], node.name, { table: 'PadOptions', values: {} });
  else ctx.draft.op('PADV2', [cur, paddings, ctx.floatConst(`${node.name}/value`, Float32Array.of(value), [], 'operand')], [out], node.name);
  if (!crop) return;
  const begin = shape.map((_, a) => -Math.min(pads[a], 0));
  const size = ctx.shape(y);
  ctx.draft.op('SLICE', [out, ctx.draft.int32(`${node.name}/begin`, permuteDims(begin, perm)), ctx.draft.int32(`${node.name}/size`, permuteDims(size, perm))], [ctx.define(y, perm)], node.name, { table: 'SliceOptions', values: {} });
}
