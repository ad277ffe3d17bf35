// Maps a TF.js graph model (GraphDef as JSON) onto the IR: one `ai.tensorflow` node per TensorFlow node, NHWC as stored.
import { FormatError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import type { TfjsModelJson } from './model-json.ts';

/** Domain of the nodes read from a graph model; `op` is the TensorFlow op name (e.g. `_FusedConv2D`). */
export const TFJS_GRAPH_DOMAIN = 'ai.tensorflow';

/** TODO(helper): the graph-model reader. */
export function graphModelToIR(json: TfjsModelJson, weights: Map<string, Tensor>, file: string): Model {
  void json; void weights;
  throw new FormatError('tfjs', 'graph models are not read yet', { file });
}
