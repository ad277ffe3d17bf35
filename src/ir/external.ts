// The external-data files a model refers to (initializers, sparse initializers, attribute tensors, subgraphs, functions).
import type { Attribute, Graph, Model, Node, SparseTensor } from './graph.ts';
import type { ExternalSource, Tensor } from './tensor.ts';

/** Every external-data file the model's tensors live in, one entry per location (as spelled in the model), in file order. */
export function externalDataFiles(model: Model): Pick<ExternalSource, 'location' | 'path'>[] {
  const found = new Map<string, string>();
  const tensor = (t: Tensor) => {
    if (t.data.kind === 'external' && !found.has(t.data.source.location)) found.set(t.data.source.location, t.data.source.path);
  };
  const sparse = (s: SparseTensor) => { tensor(s.values); tensor(s.indices); };
  const attribute = (a: Attribute) => {
    switch (a.type) {
      case 'tensor': tensor(a.value); break;
      case 'tensors': a.value.forEach(tensor); break;
      case 'sparse_tensor': sparse(a.value); break;
      case 'sparse_tensors': a.value.forEach(sparse); break;
      case 'graph': graph(a.value); break;
      case 'graphs': a.value.forEach(graph); break;
      default: break;
    }
  };
  const nodes = (list: Node[]) => { for (const n of list) for (const a of n.attributes.values()) attribute(a); };
  function graph(g: Graph): void {
    for (const t of g.initializers.values()) tensor(t);
    g.sparseInitializers.forEach(sparse);
    nodes(g.nodes);
  }
  graph(model.graph);
  for (const f of model.functions) {
    nodes(f.nodes);
    for (const a of f.attributeDefaults.values()) attribute(a);
  }
  return [...found].map(([location, path]) => ({ location, path }));
}
