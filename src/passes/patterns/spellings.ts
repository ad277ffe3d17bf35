// Sub-patterns several rule sets share: relu6 in its spellings, Clip bounds, constants by value, the opset a rewrite targets.
import { attrFloat, type Node } from '../../ir/graph.ts';
import { opsetOf } from '../graph-edit.ts';
import type { RewriteContext } from './matcher.ts';
import { P, scalarOf, type ConstantValue, type Pattern, type PatternView } from './pattern.ts';

/** The [min, max] of a Clip (attributes before opset 11, constant inputs after), or undefined when not constant. */
export function clipBounds(node: Node, m: PatternView): [number, number] | undefined {
  if (node.attributes.has('min') || node.attributes.has('max')) return [attrFloat(node, 'min', -Infinity), attrFloat(node, 'max', Infinity)];
  const bound = (slot: number, fallback: number): number | undefined => {
    const name = node.inputs[slot];
    if (!name) return fallback;
    const c = m.constantOf(name);
    return c ? scalarOf(c) : undefined;
  };
  const lo = bound(1, -Infinity);
  const hi = bound(2, Infinity);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** Clip(inner) with constant bounds `lo`, `hi`. */
export function clipTo(inner: Pattern, lo: number, hi: number): Pattern {
  return P.op('Clip', [inner], { where: (n, m) => { const b = clipBounds(n, m); return !!b && b[0] === lo && b[1] === hi; } });
}

/** min(max(inner, lo), hi) in every spelling: Clip, Min∘Max, Max∘Min, and Min∘Relu when lo is 0. */
export function clamp(inner: Pattern, lo: number, hi: number): Pattern {
  return P.oneOf(
    clipTo(inner, lo, hi),
    P.op('Min', [P.op('Max', [inner, P.scalar(lo)], { commutative: true }), P.scalar(hi)], { commutative: true }),
    P.op('Max', [P.op('Min', [inner, P.scalar(hi)], { commutative: true }), P.scalar(lo)], { commutative: true }),
    ...(lo === 0 ? [P.op('Min', [P.op('Relu', [inner]), P.scalar(hi)], { commutative: true })] : []),
  );
}

/** relu6(inner) = clamp(inner, 0, 6). */
export const relu6 = (inner: Pattern): Pattern => clamp(inner, 0, 6);

/** A one-element constant that passes `test`, captured under `name`. */
export function scalarWhere(name: string, test: (v: number) => boolean): Pattern {
  return P.const(name, (c: ConstantValue) => {
    const v = scalarOf(c);
    return v !== undefined && test(v);
  });
}

/** The default-domain opset the rewrite works against (Infinity when ops are spelled as the standard op regardless). */
export function targetOpset(ctx: RewriteContext): number {
  return ctx.options.standardOps ? Infinity : opsetOf(ctx.model.opsets) ?? 1;
}

/** A constant's values when it has a real float tensor behind it (not a made-up reciprocal). */
export function isFloatTensor(c: ConstantValue): boolean {
  return !!c.tensor && ['float32', 'float16', 'float64', 'bfloat16'].includes(c.tensor.dtype);
}
