// Test fixtures for QNN: an ONNX model wrapping a (fake) QNN context binary in a com.microsoft EPContext node.
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';

/** A model whose only node is a com.microsoft EPContext wrapping `blob` (embed_mode 1) or naming a file (embed_mode 0). */
export function epContextModel(embed: boolean, blob: Uint8Array): Model {
  const b = new ModelBuilder({ opset: 17, domains: { 'com.microsoft': 1 } });
  const x = b.input('input', 'float32', [1, 3, 8, 8]);
  const cache = embed ? blob : new TextEncoder().encode('model_ctx.bin');
  b.node('EPContext', [x], {
    embed_mode: embed ? 1 : 0, main_context: 1, ep_cache_context: { type: 'string', value: cache },
    source: 'QNN', partition_name: 'QNNExecutionProvider_QNN_0_0', hardware_architecture: 'v73', notes: 'fixture',
  }, { domain: 'com.microsoft', outputs: ['out'], name: 'qnn_ctx' });
  b.output('out', 'float32', [1, 10]);
  return b.build({ inferOutputs: false });
}
