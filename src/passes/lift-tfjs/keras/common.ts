// What every Keras layer lifter reads: the layer config, its weights by role, Keras argument forms and the channels-first region.
import { attrInt, attrInts, attrString, type Attribute, type Node } from '../../../ir/graph.ts';
import { explicitPads, ints, LiftRefusal, str, type TfjsLiftContext } from '../context.ts';

/** A Keras layer config (the node's `config` attribute, parsed). */
export type KerasConfig = Record<string, unknown>;

/** A float attribute. */
export function float(value: number): Attribute {
  return { type: 'float', value };
}

/** The layer config of a Keras node. */
export function configOf(node: Node): KerasConfig {
  const text = attrString(node, 'config', '{}');
  try {
    const c: unknown = JSON.parse(text);
    return c && typeof c === 'object' && !Array.isArray(c) ? (c as KerasConfig) : {};
  } catch {
    throw new LiftRefusal('the layer config is not JSON');
  }
}

/** The data inputs of a Keras node (its weights follow them). */
export function dataInputs(node: Node): string[] {
  return node.inputs.slice(0, attrInt(node, 'data_inputs', node.inputs.length));
}

/** The input holding weight `role` (e.g. 'kernel'), or undefined when the layer has none. */
export function weightOf(node: Node, role: string): string | undefined {
  const roles = node.attributes.get('weight_names');
  const list = roles?.type === 'strings' ? roles.value.map((r) => new TextDecoder().decode(r)) : [];
  const i = list.indexOf(role);
  return i < 0 ? undefined : node.inputs[dataInputs(node).length + i];
}

/** Like {@link weightOf}, or a refusal naming the missing weight. */
export function requireWeight(node: Node, role: string): string {
  return weightOf(node, role) ?? (() => { throw new LiftRefusal(`the layer has no '${role}' weight`); })();
}

/** The single data input of a one-input layer. */
export function onlyInput(node: Node): string {
  const inputs = dataInputs(node);
  if (inputs.length !== 1) throw new LiftRefusal(`the layer takes ${inputs.length} inputs, expected 1`);
  return inputs[0];
}

/** A Keras int-or-tuple argument (kernel_size, strides, …) as `n` numbers. */
export function tuple(value: unknown, n: number, what: string, fallback?: number): number[] {
  if (value === undefined || value === null) {
    if (fallback === undefined) throw new LiftRefusal(`${what} is missing`);
    return new Array<number>(n).fill(fallback);
  }
  const list = typeof value === 'number' ? new Array<number>(n).fill(value) : value;
  if (!Array.isArray(list) || list.length !== n || !list.every((v) => Number.isInteger(v))) throw new LiftRefusal(`${what} ${JSON.stringify(value)} is not ${n} integers`);
  return list as number[];
}

/** Keras' padding argument per spatial axis: ZeroPadding/Cropping's int, (sym, sym) or ((begin, end), …) forms. */
export function beginEnd(value: unknown, n: number, what: string): [number, number][] {
  if (typeof value === 'number') return new Array(n).fill([value, value]);
  if (Array.isArray(value) && value.length === n) {
    return value.map((v) => {
      if (typeof v === 'number') return [v, v] as [number, number];
      if (Array.isArray(v) && v.length === 2 && v.every(Number.isInteger)) return [v[0], v[1]] as [number, number];
      throw new LiftRefusal(`${what} ${JSON.stringify(value)} is not understood`);
    });
  }
  throw new LiftRefusal(`${what} ${JSON.stringify(value)} is not understood`);
}

/** True for `data_format: channels_last` (Keras' default), false for channels_first. */
export function channelsLast(config: KerasConfig): boolean {
  const f = config.data_format ?? 'channels_last';
  if (f === 'channels_last' || f === 'channelsLast') return true;
  if (f === 'channels_first' || f === 'channelsFirst') return false;
  throw new LiftRefusal(`data_format '${String(f)}' is not channels_last or channels_first`);
}

/** The permutation moving axis `axis` of a rank-`rank` value to position 1 (the others keep their order). */
export function axisToFront(rank: number, axis: number): number[] {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 1 || a >= rank) throw new LiftRefusal(`axis ${axis} is not a non-batch axis of a rank-${rank} value`);
  return [0, a, ...[...Array(rank).keys()].filter((i) => i !== 0 && i !== a)];
}

/** The inverse of a permutation. */
export function inversePerm(perm: number[]): number[] {
  const inv: number[] = [];
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * Runs `body` on `x` with its channels at axis 1 (ONNX layout): channels_last data is transposed there and the result
 * back (the lift's optimiser cancels these pairs between layers); `finish` (e.g. an activation) runs on the
 * channels-first result. The last node written is `output`.
 */
export function channelsFirstRegion(
  ctx: TfjsLiftContext, x: string, last: boolean, output: string,
  body: (x: string, output?: string) => string, finish?: (y: string, output?: string) => string,
): void {
  if (!last) {
    if (finish) finish(body(x), output);
    else body(x, output);
    return;
  }
  const perm = axisToFront(ctx.rank(x), -1);
  const y = body(ctx.transpose(x, perm));
  ctx.transpose(finish ? finish(y) : y, inversePerm(perm), output);
}

/**
 * ONNX padding attributes for Keras `padding` ('same' | 'valid' | 'causal' handled by the caller) over channels-first
 * `x`: explicit pads when the spatial sizes are static (TensorFlow puts the odd pixel at the end), else auto_pad SAME_UPPER.
 */
export function paddingAttrs(ctx: TfjsLiftContext, x: string, padding: unknown, kernel: number[], strides: number[], dilations: number[]): Record<string, Attribute> {
  if (padding === 'valid') return { pads: ints(new Array(2 * kernel.length).fill(0)) };
  if (padding !== 'same') throw new LiftRefusal(`padding '${String(padding)}' is not 'same' or 'valid'`);
  const dims = ctx.dims(x)?.slice(2);
  if (!dims || !dims.every((d): d is number => typeof d === 'number')) return { auto_pad: str('SAME_UPPER') };
  const pads = dims.map((size, i) => explicitPads(true, size, kernel[i], strides[i], dilations[i]));
  return { pads: ints([...pads.map((p) => p[0]), ...pads.map((p) => p[1])]) };
}

/** The node the lift emitted that writes `value`, if any. */
export function producerOf(ctx: TfjsLiftContext, value: string): Node | undefined {
  for (let i = ctx.nodes.length - 1; i >= 0; i--) if (ctx.nodes[i].outputs.includes(value)) return ctx.nodes[i];
  return undefined;
}

/**
 * `x` as the zero padding that produced it (through Transposes that cancel out) and its input: a ZeroPadding layer
 * followed by a convolution becomes one Conv with larger pads. Undefined when `x` is not such a padding of its spatial axes.
 */
function zeroPadding(ctx: TfjsLiftContext, x: string): { source: string; pads: number[] } | undefined {
  let value = x;
  let perm: number[] | undefined;
  for (let node = producerOf(ctx, value); node?.op === 'Transpose'; node = producerOf(ctx, value)) {
    const p = attrInts(node, 'perm', []);
    perm = perm ? perm.map((i) => p[i]) : p;
    value = node.inputs[0];
  }
  const pad = producerOf(ctx, value);
  if (pad?.op !== 'Pad' || (perm && perm.some((p, i) => p !== i)) || attrString(pad, 'mode', 'constant') !== 'constant' || (pad.inputs[2] ?? '') !== '' || pad.inputs[3]) return undefined;
  const pads = ctx.knownInts(pad.inputs[1]);
  const rank = pads ? pads.length / 2 : 0;
  if (!pads || pads.some((v, i) => v < 0 || (i % rank < 2 && v !== 0))) return undefined;
  return { source: pad.inputs[0], pads: [...pads.slice(2, rank), ...pads.slice(rank + 2)] };
}

/** A convolution's input and pads with a zero padding in front of it folded in (explicit pads only). */
export function foldZeroPadding(ctx: TfjsLiftContext, x: string, attrs: Record<string, Attribute>): { x: string; attrs: Record<string, Attribute> } {
  const own = attrs.pads;
  const padded = own?.type === 'ints' && !attrs.auto_pad ? zeroPadding(ctx, x) : undefined;
  if (!padded || own?.type !== 'ints' || padded.pads.length !== own.value.length) return { x, attrs };
  return { x: padded.source, attrs: { ...attrs, pads: ints(own.value.map((v, i) => v + padded.pads[i])) } };
}
