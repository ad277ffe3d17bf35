// Recognises com.microsoft EPContext nodes (a precompiled QNN context binary wrapped in ONNX) and reports their attributes.
import { attrInt, attrString, type Model, type Node } from '../../ir/graph.ts';

/** What an EPContext node says about the context binary it wraps (attributes from ORT's ContribOperators.md). */
export interface EpContextFacts {
  node: string;
  /** 1: the binary is embedded in ep_cache_context; 0: ep_cache_context is a file path relative to the model. */
  embedMode: number;
  /** Bytes of the embedded binary (embed_mode 1). */
  contextBytes?: number;
  /** The context binary's file path (embed_mode 0). */
  contextFile?: string;
  mainContext: number;
  source?: string;
  partitionName?: string;
  hardwareArchitecture?: string;
  sdkVersion?: string;
  notes?: string;
  inputs: string[];
  outputs: string[];
}

/** True for a node in the com.microsoft domain of type EPContext. */
export function isEpContext(node: Node): boolean {
  return node.op === 'EPContext' && node.domain === 'com.microsoft';
}

/** The EPContext nodes of `model`'s main graph, described; empty when there are none. */
export function describeEpContexts(model: Model): EpContextFacts[] {
  return model.graph.nodes.filter(isEpContext).map((n) => {
    const embedMode = attrInt(n, 'embed_mode', 1);
    const cache = n.attributes.get('ep_cache_context');
    const bytes = cache?.type === 'string' ? cache.value : undefined;
    const facts: EpContextFacts = {
      node: n.name || n.outputs[0] || 'EPContext',
      embedMode,
      mainContext: attrInt(n, 'main_context', 1),
      inputs: n.inputs.filter(Boolean),
      outputs: n.outputs.filter(Boolean),
    };
    if (bytes && embedMode === 1) facts.contextBytes = bytes.length;
    if (bytes && embedMode !== 1) facts.contextFile = new TextDecoder().decode(bytes);
    const optional = { source: 'source', partitionName: 'partition_name', hardwareArchitecture: 'hardware_architecture', sdkVersion: 'ep_sdk_version', notes: 'notes' } as const;
    for (const [key, attr] of Object.entries(optional)) {
      const v = attrString(n, attr);
      if (v !== undefined) facts[key as keyof typeof optional] = v;
    }
    return facts;
  });
}
