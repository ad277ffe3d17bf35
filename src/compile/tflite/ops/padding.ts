// Spatial padding: ONNX pads/auto_pad → TFLite SAME or VALID, or an explicit PAD/PADV2 op in front (then VALID).
import { attrInts, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';

/** Padding decision for a 2-D window op over NHWC data. */
export interface Padding {
  padding: 'SAME' | 'VALID';
  /** [top, left, bottom, right] to apply with a PAD op first (padding is then VALID). */
  explicit?: number[];
}

/**
 * Resolves ONNX padding for input [H, W], kernel, strides and dilations; `ceil` is the ceil_mode attribute,
 * `given` replaces the `pads` attribute (a 1-D op lifted to 2-D).
 */
export function resolvePadding(node: Node, inHW: number[], kernel: number[], strides: number[], dilations: number[], ceil = false, given?: number[]): Padding {
  const auto = attrString(node, 'auto_pad', 'NOTSET');
  if (auto === 'VALID') return { padding: 'VALID' };
  const effK = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
  const sameOut = inHW.map((n, i) => Math.ceil(n / strides[i]));
  const sameTotal = inHW.map((n, i) => Math.max((sameOut[i] - 1) * strides[i] + effK[i] - n, 0));
  if (auto === 'SAME_UPPER') return { padding: 'SAME' };
  let pads = given ?? attrInts(node, 'pads', [0, 0, 0, 0]);
  if (auto === 'SAME_LOWER') pads = [...sameTotal.map((t) => t - Math.floor(t / 2)), ...sameTotal.map((t) => Math.floor(t / 2))];
  const round = ceil ? Math.ceil : Math.floor;
  const onnxOut = inHW.map((n, i) => round((n + pads[i] + pads[i + 2] - effK[i]) / strides[i]) + 1);
  const validOut = inHW.map((n, i) => Math.floor((n - effK[i]) / strides[i]) + 1);
  if (pads.every((p) => p === 0) && onnxOut.every((o, i) => o === validOut[i])) return { padding: 'VALID' };
  if (onnxOut.every((o, i) => o === sameOut[i] && pads[i] === Math.floor(sameTotal[i] / 2))) return { padding: 'SAME' };
  // Explicit padding: pad so that a VALID window walk yields exactly the ONNX output size.
  const explicit = [0, 1].map((i) => pads[i]);
  const after = [0, 1].map((i) => Math.max(0, (onnxOut[i] - 1) * strides[i] + effK[i] - inHW[i] - pads[i]));
  return { padding: 'VALID', explicit: [explicit[0], explicit[1], after[0], after[1]] };
}

/** Emits PAD (or PADV2 with `value`) of NHWC `input` by [top, left, bottom, right]; returns the padded tensor. */
export function emitSpatialPad(ctx: EmitContext, node: Node, input: number, pads: number[], value = 0): number {
  if (pads.some((p) => p < 0)) throw new Unmappable('negative padding');
  const src = ctx.draft.graph.tensors[input];
  const [n, h, w, c] = src.shape;
  const shape = [n, h + pads[0] + pads[2], w + pads[1] + pads[3], c];
  const out = ctx.temp(`${src.name}/padded`, shape, src.range);
  const paddings = ctx.draft.int32(`${src.name}/paddings`, [0, 0, pads[0], pads[2], pads[1], pads[3], 0, 0], [4, 2]);
  if (value === 0) ctx.draft.op('PAD', [input, paddings], [out], node.name, { table: 'PadOptions', values: {} });
  else {
    const v = ctx.floatConst(`${src.name}/pad_value`, Float32Array.of(value), [], 'operand');
    ctx.draft.op('PADV2', [input, paddings, v], [out], node.name);
  }
  return out;
}
