// The pattern matcher: matches patterns at a node (walking up through producers), then applies rewrite rules to a fixpoint.
import type { Dim, Graph, Model, Node } from '../../ir/graph.ts';
import type { DType, TypedArray } from '../../ir/dtype.ts';
import { toAttribute, type AttrValue } from '../../ir/builder.ts';
import { constantNodeTensor, isDefaultDomain } from '../../ir/ops/index.ts';
import { elementCount, makeTensor, tensorFloats, type Tensor } from '../../ir/tensor.ts';
import { producers as producersOf } from '../../ir/toposort.ts';
import { graphOutputNames, nameAllocator, shapeResolver, usesOf, type Use } from '../graph-edit.ts';
import type { ConstantValue, OpPattern, Pattern, PatternView, ProductPattern } from './pattern.ts';

/** Constants larger than this are never read by predicates (weights stay unread, external data stays on disk). */
const MAX_READ = 4096;
/** Products with more factors than this are not matched (bounds the search over splits). */
const MAX_FACTORS = 6;
/** Rounds of all rules before giving up on a fixpoint. */
const MAX_ROUNDS = 8;

/** What a rewrite may do: add constants and nodes, import an opset, read shapes. */
export interface RewriteContext {
  readonly model: Model;
  readonly options: ApplyOptions;
  /** Adds an initializer under a fresh name derived from `base`; returns the name. */
  constant(base: string, dtype: DType, dims: number[], values: TypedArray): string;
  /** Adds a node with a fresh output; returns the output name. */
  node(op: string, inputs: string[], attrs?: Record<string, AttrValue | undefined>, domain?: string): string;
  /** Makes sure the model imports `domain` (at least `version`). */
  useOpset(domain: string, version: number): void;
  /** The shape of a value when known (declared or inferred before the rewrites began). */
  shape(value: string): Dim[] | undefined;
}

/** One rewrite: a pattern rooted at a node, and a function from its captures to the value that replaces the root's output. */
export interface Rule {
  /** The spelling this rule matches, e.g. 'clip-div'. */
  name: string;
  pattern: Pattern;
  /** Builds the replacement through `ctx` and returns the value holding the result, or undefined to leave the match alone. */
  rewrite(m: PatternView, ctx: RewriteContext): string | undefined;
}

/** The rules of one fusion (every spelling of it) and the ops it produces. */
export interface RuleSet {
  /** Kebab-case name used in counts and reports, e.g. 'hard-swish'. */
  name: string;
  /** Ops the rewrites create (default ONNX domain spelling), so a compiler can skip sets it cannot emit. */
  produces: readonly string[];
  rules: readonly Rule[];
}

/** Options for {@link applyRules}. */
export interface ApplyOptions {
  /**
   * Spell produced ops as the standard ai.onnx op whatever the model's opset (for compilers that read the IR and
   * never hand it to a runtime). Default false: what onnxruntime loads at the model's opset (e.g. com.microsoft Gelu
   * below opset 20).
   */
  standardOps?: boolean;
}

interface Binding {
  value: string;
  node?: Node;
  constant?: ConstantValue;
}

interface State {
  binds: ReadonlyMap<string, Binding>;
  nodes: ReadonlySet<Node>;
}

/** Everything a match needs to know about the graph, computed once per sweep. */
interface GraphIndex {
  graph: Graph;
  producers: ReadonlyMap<string, Node>;
  uses: ReadonlyMap<string, readonly Use[]>;
  outputs: ReadonlySet<string>;
}

function constantValue(tensor: Tensor): ConstantValue {
  let cached: readonly number[] | undefined;
  return {
    tensor,
    dims: tensor.dims,
    values: () => {
      if (elementCount(tensor.dims) > MAX_READ) return undefined;
      try {
        cached ??= Array.from(tensorFloats(tensor));
      } catch {
        return undefined;
      }
      return cached;
    },
  };
}

function constantIn(ix: GraphIndex, value: string): ConstantValue | undefined {
  if (!value) return undefined;
  const init = ix.graph.initializers.get(value);
  if (init) return ix.graph.inputs.some((v) => v.name === value) ? undefined : constantValue(init);
  const p = ix.producers.get(value);
  const t = p && p.op === 'Constant' && isDefaultDomain(p.domain) ? constantNodeTensor(p) : undefined;
  return t ? constantValue(t) : undefined;
}

function view(ix: GraphIndex, s: State): PatternView {
  const get = (name: string): Binding => {
    const b = s.binds.get(name);
    if (!b) throw new Error(`pattern capture '${name}' is not bound`);
    return b;
  };
  return {
    value: (name) => get(name).value,
    node: (name) => get(name).node ?? (() => { throw new Error(`capture '${name}' is not an op`); })(),
    constant: (name) => get(name).constant ?? (() => { throw new Error(`capture '${name}' is not a constant`); })(),
    scalar: (name) => {
      const c = get(name).constant;
      const v = c && c.dims.every((d) => d === 1) ? c.values() : undefined;
      if (!v || v.length !== 1) throw new Error(`capture '${name}' is not a scalar`);
      return v[0];
    },
    constantOf: (value) => constantIn(ix, value),
    has: (name) => s.binds.has(name),
  };
}

function bind(s: State, name: string | undefined, b: Binding, nodes: Node[] = []): State | undefined {
  const old = name ? s.binds.get(name) : undefined;
  if (old && old.value !== b.value) return undefined;
  const binds = name && !old ? new Map(s.binds).set(name, b) : s.binds;
  return { binds, nodes: nodes.length ? new Set([...s.nodes, ...nodes]) : s.nodes };
}

/** A constant made up while matching a product: the reciprocal of a constant divisor. */
interface Leaf {
  constant: ConstantValue;
}

function isPrivate(ix: GraphIndex, value: string): boolean {
  return !ix.outputs.has(value) && (ix.uses.get(value)?.length ?? 0) === 1;
}

function reciprocal(c: ConstantValue): ConstantValue | undefined {
  const v = c.values();
  return v ? { dims: c.dims, values: () => v.map((x) => 1 / x) } : undefined;
}

/** Matches a made-up constant: only constant patterns (directly or as an option) can take it. */
function* matchLeaf(p: Pattern, leaf: Leaf, s: State): Generator<State> {
  if (p.kind === 'oneOf') for (const o of p.options) yield* matchLeaf(o, leaf, s);
  if (p.kind !== 'const' || (p.test && !p.test(leaf.constant))) return;
  const next = p.name ? bind(s, p.name, { value: `<reciprocal ${p.name}>`, constant: leaf.constant }) : s;
  if (next) yield next;
}

/**
 * Matches `factors` (in any order) against the product tree at `value`: a Mul splits the factors between its two
 * inputs in every way, a Div by a constant gives one factor the reciprocal of the divisor, and one factor left
 * matches the value itself (so a factor may be a product pattern of its own).
 */
function* matchFactors(ix: GraphIndex, factors: readonly Pattern[], value: string, s: State, root: boolean): Generator<State> {
  if (factors.length === 1 && !root) {
    yield* matchValue(ix, factors[0], value, s);
    return;
  }
  const node = ix.producers.get(value);
  if (!node || !isDefaultDomain(node.domain) || node.inputs.length !== 2 || node.outputs[0] !== value || (!root && !isPrivate(ix, value))) return;
  const here = bind(s, undefined, { value }, [node]);
  if (!here) return;
  const n = factors.length;
  if (node.op === 'Mul') {
    for (let mask = 1; mask < (1 << n) - 1; mask++) {
      const left = factors.filter((_, i) => mask & (1 << i));
      const right = factors.filter((_, i) => !(mask & (1 << i)));
      for (const next of matchFactors(ix, left, node.inputs[0], here, false)) yield* matchFactors(ix, right, node.inputs[1], next, false);
    }
  } else if (node.op === 'Div') {
    const divisor = constantIn(ix, node.inputs[1]);
    const r = divisor && reciprocal(divisor);
    if (!r || n < 2) return;
    for (let i = 0; i < n; i++) {
      const rest = factors.filter((_, j) => j !== i);
      for (const next of matchLeaf(factors[i], { constant: r }, here)) yield* matchFactors(ix, rest, node.inputs[0], next, false);
    }
  }
}

function* matchProduct(ix: GraphIndex, p: ProductPattern, value: string, s: State): Generator<State> {
  if (p.factors.length < 2 || p.factors.length > MAX_FACTORS) return;
  const start = bind(s, p.name, { value, ...(ix.producers.get(value) ? { node: ix.producers.get(value)! } : {}) });
  if (start) yield* matchFactors(ix, p.factors, value, start, true);
}

function* matchInputs(ix: GraphIndex, pats: readonly Pattern[], inputs: readonly string[], i: number, s: State): Generator<State> {
  if (i === pats.length) {
    yield s;
    return;
  }
  for (const next of matchValue(ix, pats[i], inputs[i], s)) yield* matchInputs(ix, pats, inputs, i + 1, next);
}

function* matchOp(ix: GraphIndex, p: OpPattern, value: string, s: State): Generator<State> {
  const node = ix.producers.get(value);
  if (!node || !isDefaultDomain(node.domain) || !p.ops.includes(node.op) || node.outputs[0] !== value) return;
  const bound = p.name ? s.binds.get(p.name) : undefined;
  if (bound) {
    if (bound.value === value) yield s;
    return;
  }
  const start = bind(s, p.name, { value, node }, [node]);
  if (!start) return;
  const pats = p.inputs ?? [];
  if (node.inputs.length < pats.length) return;
  const commutative = (p.commutative ?? (node.op === 'Add' || node.op === 'Mul')) && pats.length === 2 && node.inputs.length === 2;
  const orders = commutative ? [node.inputs, [node.inputs[1], node.inputs[0]]] : [node.inputs];
  for (const inputs of orders) {
    for (const next of matchInputs(ix, pats, inputs, 0, start)) if (!p.where || p.where(node, view(ix, next))) yield next;
  }
}

function* matchValue(ix: GraphIndex, p: Pattern, value: string, s: State): Generator<State> {
  if (!value) return;
  switch (p.kind) {
    case 'any': {
      const next = bind(s, p.name, { value });
      if (next) yield next;
      return;
    }
    case 'const': {
      const c = constantIn(ix, value);
      if (!c || (p.test && !p.test(c))) return;
      const next = bind(s, p.name, { value, constant: c });
      if (next) yield next;
      return;
    }
    case 'op':
      yield* matchOp(ix, p, value, s);
      return;
    case 'oneOf':
      for (const o of p.options) yield* matchValue(ix, o, value, s);
      return;
    case 'product':
      yield* matchProduct(ix, p, value, s);
  }
}

/** True when every matched node except the root feeds only matched nodes and no graph output (so all can go). */
function closed(ix: GraphIndex, root: Node, nodes: ReadonlySet<Node>): boolean {
  for (const n of nodes) {
    if (n === root) continue;
    for (const out of n.outputs) {
      if (!out) continue;
      if (ix.outputs.has(out)) return false;
      if ((ix.uses.get(out) ?? []).some((u) => !nodes.has(u.node))) return false;
    }
  }
  return true;
}

function indexGraph(graph: Graph): GraphIndex {
  return { graph, producers: producersOf(graph), uses: usesOf(graph), outputs: graphOutputNames(graph) };
}

/** A match of `pattern` rooted at `node` (its first output) whose interior is private to it, or undefined. */
export function matchAt(graph: Graph, pattern: Pattern, node: Node): { view: PatternView; nodes: ReadonlySet<Node> } | undefined {
  return firstMatch(indexGraph(graph), pattern, node);
}

function firstMatch(ix: GraphIndex, pattern: Pattern, node: Node): { view: PatternView; nodes: ReadonlySet<Node> } | undefined {
  if (node.outputs.length !== 1) return undefined;
  for (const s of matchValue(ix, pattern, node.outputs[0], { binds: new Map(), nodes: new Set() })) {
    if (s.nodes.has(node) && closed(ix, node, s.nodes)) return { view: view(ix, s), nodes: s.nodes };
  }
  return undefined;
}

/** Ops a pattern's root can be, for a quick filter. */
function rootOps(p: Pattern): Set<string> {
  if (p.kind === 'op') return new Set(p.ops);
  if (p.kind === 'product') return new Set(['Mul', 'Div']);
  if (p.kind === 'oneOf') return new Set(p.options.flatMap((o) => [...rootOps(o)]));
  return new Set();
}

interface Replacement {
  nodes: ReadonlySet<Node>;
  added: Node[];
}

/** One sweep of one rule over the graph; returns how many matches were rewritten. */
function sweep(model: Model, rule: Rule, options: ApplyOptions, shape: (v: string) => Dim[] | undefined): number {
  const g = model.graph;
  const ix = indexGraph(g);
  const fresh = nameAllocator(g);
  const roots = rootOps(rule.pattern);
  const claimed = new Set<Node>();
  const replaced = new Map<Node, Replacement>();
  for (const node of g.nodes) {
    if (!roots.has(node.op) || !isDefaultDomain(node.domain) || claimed.has(node)) continue;
    const m = firstMatch(ix, rule.pattern, node);
    if (!m || [...m.nodes].some((n) => claimed.has(n))) continue;
    const added: Node[] = [];
    const newConstants: Tensor[] = [];
    const opsets: [string, number][] = [];
    const ctx: RewriteContext = {
      model,
      options,
      constant: (base, dtype, dims, values) => {
        const name = fresh(base);
        newConstants.push(makeTensor(name, dtype, dims, values));
        return name;
      },
      node: (op, inputs, attrs = {}, domain = '') => {
        const output = fresh(`${node.outputs[0]}_${op}`);
        const attributes = new Map(Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toAttribute(k, v!)]));
        added.push({ op, domain, name: fresh(`${node.name || op}_${op}`), inputs, outputs: [output], attributes });
        return output;
      },
      useOpset: (domain, version) => void opsets.push([domain, version]),
      shape,
    };
    const result = rule.rewrite(m.view, ctx);
    const last = added.find((n) => n.outputs[0] === result);
    if (!result || !last) continue;
    // The result takes over the root's output name (graph outputs and readers stay as they were) and node name.
    for (const n of added) n.inputs = n.inputs.map((x) => (x === result ? node.outputs[0] : x));
    last.outputs = [node.outputs[0]];
    if (node.name) last.name = node.name;
    for (const t of newConstants) g.initializers.set(t.name, t);
    for (const [domain, version] of opsets) {
      const o = model.opsets.find((x) => x.domain === domain);
      if (!o) model.opsets.push({ domain, version });
      else if (o.version < version) o.version = version;
    }
    for (const n of m.nodes) claimed.add(n);
    replaced.set(node, { nodes: m.nodes, added });
  }
  if (!replaced.size) return 0;
  const doomed = new Set([...replaced.values()].flatMap((r) => [...r.nodes]));
  const dropped = new Set<string>();
  g.nodes = g.nodes.flatMap((n) => {
    const r = replaced.get(n);
    if (r) return r.added;
    if (!doomed.has(n)) return [n];
    for (const out of n.outputs) g.valueInfo.delete(out);
    for (const i of n.inputs) dropped.add(i);
    return [];
  });
  for (const r of replaced.values()) for (const n of r.nodes) n.inputs.forEach((i) => dropped.add(i));
  dropUnusedConstants(g, dropped);
  return replaced.size;
}

/** Removes initializers and Constant nodes among `candidates` that nothing reads any more. */
function dropUnusedConstants(g: Graph, candidates: ReadonlySet<string>): void {
  const uses = usesOf(g);
  const outputs = graphOutputNames(g);
  const unused = (v: string) => !uses.has(v) && !outputs.has(v);
  for (const v of candidates) {
    if (unused(v) && g.initializers.has(v) && !g.inputs.some((i) => i.name === v)) g.initializers.delete(v);
  }
  g.nodes = g.nodes.filter((n) => !(n.op === 'Constant' && candidates.has(n.outputs[0]) && unused(n.outputs[0])));
}

/**
 * Applies every rule of every set, in order, until none fires (at most a few rounds). The model is rewritten in place;
 * returns how many matches each set rewrote (every set named, zeros included).
 */
export function applyRules(model: Model, sets: readonly RuleSet[], options: ApplyOptions = {}): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(sets.map((s) => [s.name, 0]));
  const shape = shapeResolver(model);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let fired = 0;
    for (const set of sets) {
      for (const rule of set.rules) {
        const n = sweep(model, rule, options, shape);
        counts[set.name] += n;
        fired += n;
      }
    }
    if (!fired) break;
  }
  return counts;
}
