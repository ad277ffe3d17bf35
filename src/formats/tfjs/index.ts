// The TF.js model format (model.json + weight shards): recognise, and read graph models and layers (Keras) models into the IR.
import type { Model } from '../../ir/graph.ts';
import type { ModelFormat } from '../format.ts';
import { graphModelToIR } from './graph-to-ir.ts';
import { layersModelToIR } from './layers-to-ir.ts';
import { looksLikeTfjs, readModelJson, tfjsKind } from './model-json.ts';
import { readWeights } from './weights.ts';

/**
 * Reads a TF.js model.json and its shards into the IR: a graph model as `ai.tensorflow` nodes (TensorFlow ops, NHWC),
 * a layers model as `ai.keras` nodes (one per layer call). Lifting either to ONNX ops is a pass (`passes/lift-tfjs`).
 */
export async function readTfjs(path: string): Promise<Model> {
  const json = readModelJson(path);
  const kind = tfjsKind(json, path);
  const weights = readWeights(path, json.weightsManifest);
  return kind === 'graph-model' ? graphModelToIR(json, weights, path) : layersModelToIR(json, weights, path);
}

/** TensorFlow.js (`model.json` + `*.bin` shards), graph or layers model. Read only: ondevice writes ONNX and TFLite. */
export const tfjsFormat: ModelFormat = {
  name: 'tfjs',
  extensions: ['.json'],
  matchMagic: looksLikeTfjs,
  read: readTfjs,
};

export { TFJS_GRAPH_DOMAIN } from './graph-to-ir.ts';
export { KERAS_DOMAIN } from './layers-to-ir.ts';
export { parseModelJson, readModelJson, tfjsKind, looksLikeTfjs, type TfjsModelJson, type TfjsWeightSpec, type TfjsWeightGroup, type TfjsKind } from './model-json.ts';
export { readWeights, decodeWeight } from './weights.ts';
