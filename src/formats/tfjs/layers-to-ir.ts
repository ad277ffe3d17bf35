// Maps a TF.js layers model (Keras topology) onto the IR: one `ai.keras` node per layer call, NHWC as Keras computes.
import { FormatError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import type { TfjsModelJson } from './model-json.ts';

/** Domain of the nodes read from a layers model; `op` is the Keras class name (e.g. `Conv2D`). */
export const KERAS_DOMAIN = 'ai.keras';

/** TODO(helper): the layers-model reader. */
export function layersModelToIR(json: TfjsModelJson, weights: Map<string, Tensor>, file: string): Model {
  void json; void weights;
  throw new FormatError('tfjs', 'layers models are not read yet', { file });
}
