// Patterns as data (after tinygrad's UPat): what a subgraph must look like, and the builders that spell them.
import type { Node } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';

/** A constant seen by a pattern: an initializer or Constant-node tensor, or (inside a product) a divisor turned into its reciprocal. */
export interface ConstantValue {
  /** The tensor behind the value; undefined for a reciprocal made up while flattening a product. */
  tensor?: Tensor;
  dims: readonly number[];
  /** The values as numbers (read on demand: only small constants are read). */
  values(): readonly number[] | undefined;
}

/** Any value; with a name it is captured, and a name used twice must bind the same value. */
export interface AnyPattern {
  kind: 'any';
  name?: string;
}

/** A constant (initializer or Constant node) that passes `test`. */
export interface ConstPattern {
  kind: 'const';
  name?: string;
  test?: (c: ConstantValue) => boolean;
}

/** A value produced by a node whose op is one of `ops`, with inputs matching `inputs` (a prefix; later inputs are free). */
export interface OpPattern {
  kind: 'op';
  ops: readonly string[];
  inputs?: readonly Pattern[];
  name?: string;
  /** Try both input orders (default: true for Add and Mul). */
  commutative?: boolean;
  /** A further condition on the node (attributes, constant inputs the sub-patterns do not cover). */
  where?: (node: Node, m: PatternView) => boolean;
}

/** The first of several patterns that matches. */
export interface OneOfPattern {
  kind: 'oneOf';
  options: readonly Pattern[];
}

/**
 * A product in any association and order: the value is a tree of Mul (and Div by a constant, read as a Mul by its
 * reciprocal) whose subtrees take the factors — a Mul splits them between its inputs in every way, and a subtree left
 * with one factor must match it (so a factor may itself be a product or any other pattern). Interior Muls must have
 * no other reader.
 */
export interface ProductPattern {
  kind: 'product';
  factors: readonly Pattern[];
  name?: string;
}

/** A pattern over one value of the graph. */
export type Pattern = AnyPattern | ConstPattern | OpPattern | OneOfPattern | ProductPattern;

/** What a predicate can read of the match so far, and what a rewrite reads of a finished match. */
export interface PatternView {
  /** The value bound to a capture name. */
  value(name: string): string;
  /** The node that produced a captured op value. */
  node(name: string): Node;
  /** The constant bound to a capture name. */
  constant(name: string): ConstantValue;
  /** The single number of a captured scalar constant. */
  scalar(name: string): number;
  /** The constant tensor behind a value, if it is one (initializer or Constant node). */
  constantOf(value: string): ConstantValue | undefined;
  /** True when the capture name is bound. */
  has(name: string): boolean;
}

/** Builders for patterns, so rule files read like the formulas they match. */
export const P = {
  any: (name?: string): AnyPattern => ({ kind: 'any', ...(name ? { name } : {}) }),
  /** A constant with an optional test, captured under `name`. */
  const: (name?: string, test?: (c: ConstantValue) => boolean): ConstPattern => ({ kind: 'const', ...(name ? { name } : {}), ...(test ? { test } : {}) }),
  /** A one-element constant within a relative tolerance of `value` (default 1e-4). */
  scalar: (value: number, tolerance = 1e-4, name?: string): ConstPattern => ({
    kind: 'const',
    ...(name ? { name } : {}),
    test: (c) => {
      const v = scalarOf(c);
      return v !== undefined && Math.abs(v - value) <= tolerance * Math.max(1, Math.abs(value));
    },
  }),
  op: (ops: string | readonly string[], inputs?: readonly Pattern[], extra: Omit<OpPattern, 'kind' | 'ops' | 'inputs'> = {}): OpPattern => ({
    kind: 'op', ops: typeof ops === 'string' ? [ops] : ops, ...(inputs ? { inputs } : {}), ...extra,
  }),
  oneOf: (...options: Pattern[]): OneOfPattern => ({ kind: 'oneOf', options }),
  product: (factors: readonly Pattern[], name?: string): ProductPattern => ({ kind: 'product', factors, ...(name ? { name } : {}) }),
};

/** The number in a one-element constant, else undefined. */
export function scalarOf(c: ConstantValue): number | undefined {
  if (c.dims.some((d) => d !== 1)) return undefined;
  const v = c.values();
  return v && v.length === 1 ? v[0] : undefined;
}
