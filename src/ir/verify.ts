// The IR verifier: structural checks (dangling inputs, duplicate producers, cycles, ...) plus inferred-vs-declared types.
import { GraphError } from '../errors.ts';
import { subgraphsOf, type Graph, type Model, type OpsetImport } from './graph.ts';
import { inferModel } from './infer.ts';
import { isDefaultDomain } from './ops/index.ts';
import { definedValues, nodeLabel, toposort } from './toposort.ts';

/** Kinds of problem the verifier reports. */
export type IssueCode =
  | 'dangling-input' | 'duplicate-producer' | 'duplicate-node-name' | 'cycle' | 'output-not-produced'
  | 'unknown-domain' | 'dtype-mismatch' | 'shape-mismatch' | 'inference-error';

/** One problem found in a graph. */
export interface Issue {
  severity: 'error' | 'warning';
  code: IssueCode;
  /** One line, naming the node and/or value. */
  message: string;
  /** Label of the offending node (its name, or `Op#index`). */
  node?: string;
  value?: string;
  /** Name of the (sub)graph where it was found. */
  graph: string;
}

/** Options for {@link verifyGraph}. */
export interface VerifyOptions {
  /** Also infer types and compare them with the declared ones (default true; needs a Model for opsets). */
  types?: boolean;
  /** Opset imports to check domains against when verifying a lone Graph. */
  opsets?: OpsetImport[];
}

/**
 * Checks a model (or a lone graph) and returns every issue found, errors and warnings, recursing
 * into subgraphs (which may read values of their enclosing scopes).
 */
export function verifyGraph(target: Model | Graph, options: VerifyOptions = {}): Issue[] {
  const isModel = 'graph' in target;
  const graph = isModel ? target.graph : target;
  const opsets = isModel ? target.opsets : options.opsets;
  const issues: Issue[] = [];
  checkGraph(graph, new Set(), opsets, issues);
  const structural = issues.some((i) => i.severity === 'error');
  if ((options.types ?? true) && !structural) {
    const outcome = inferModel({ graph, opsets: opsets ?? [], irVersion: 0, metadata: [], functions: [] }, { tolerant: true });
    for (const i of outcome.issues) issues.push({ ...i });
  }
  return issues;
}

/** Throws a GraphError naming the node of the first error found (warnings are ignored). */
export function assertValid(target: Model | Graph, options: VerifyOptions = {}): void {
  const errors = verifyGraph(target, options).filter((i) => i.severity === 'error');
  if (errors.length === 0) return;
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const where = first.graph && first.graph !== ('graph' in target ? target.graph.name : target.name) ? `in subgraph '${first.graph}': ` : '';
  // The node is named by GraphError itself; keep the message free of a second copy of it.
  const message = first.node && first.message.startsWith(`node '${first.node}': `) ? first.message.slice(`node '${first.node}': `.length) : first.message;
  throw new GraphError(`${where}${message}${more}`, { node: first.node });
}

function checkGraph(graph: Graph, outer: ReadonlySet<string>, opsets: OpsetImport[] | undefined, issues: Issue[]): void {
  const add = (issue: Omit<Issue, 'graph'>) => issues.push({ ...issue, graph: graph.name });
  const labels = graph.nodes.map((n, i) => nodeLabel(n, i));

  // Who defines what: graph inputs and initializers, then node outputs (each value exactly once).
  const sources = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  graph.inputs.forEach((v, i) => {
    if (graph.inputs.findIndex((w) => w.name === v.name) < i) add({ severity: 'error', code: 'duplicate-producer', value: v.name, message: `graph input '${v.name}' is declared more than once` });
  });
  for (const t of graph.sparseInitializers) sources.add(t.values.name);
  const producedBy = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const o of node.outputs) {
      if (!o) continue;
      const prev = producedBy.get(o);
      if (prev !== undefined) {
        add({ severity: 'error', code: 'duplicate-producer', node: labels[i], value: o, message: `node '${labels[i]}': output '${o}' is already produced by node '${labels[prev]}'` });
      } else if (sources.has(o)) {
        add({ severity: 'error', code: 'duplicate-producer', node: labels[i], value: o, message: `node '${labels[i]}': output '${o}' is already a graph input or initializer` });
      } else producedBy.set(o, i);
    }
  });

  // Duplicate node names are legal for runtimes but confuse tools: warn.
  const seen = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    if (!node.name) return;
    if (seen.has(node.name)) add({ severity: 'warning', code: 'duplicate-node-name', node: node.name, message: `node '${node.name}': name is also used by node #${seen.get(node.name)}` });
    else seen.set(node.name, i);
  });

  // Every input must come from somewhere visible.
  const visible = (name: string) => sources.has(name) || producedBy.has(name) || outer.has(name);
  graph.nodes.forEach((node, i) => {
    for (const input of node.inputs) {
      if (input && !visible(input)) {
        add({ severity: 'error', code: 'dangling-input', node: labels[i], value: input, message: `node '${labels[i]}': input '${input}' is not produced by any node, nor a graph input, initializer or outer-scope value` });
      }
    }
    const domain = isDefaultDomain(node.domain) ? '' : node.domain;
    if (opsets && !opsets.some((o) => (isDefaultDomain(o.domain) ? '' : o.domain) === domain)) {
      add({ severity: 'error', code: 'unknown-domain', node: labels[i], message: `node '${labels[i]}': ${node.op} is in domain '${domain || 'ai.onnx'}', which the model does not import` });
    }
  });

  for (const out of graph.outputs) {
    if (!visible(out.name)) add({ severity: 'error', code: 'output-not-produced', value: out.name, message: `graph output '${out.name}' is never produced` });
  }

  try {
    toposort(graph);
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    add({ severity: 'error', code: 'cycle', node: err.node, message: err.message });
  }

  // Subgraphs see everything visible here (inputs, initializers, all node outputs, enclosing scopes).
  const inner = new Set<string>([...outer, ...definedValues(graph)]);
  for (const node of graph.nodes) for (const g of subgraphsOf(node)) checkGraph(g, inner, opsets, issues);
}
