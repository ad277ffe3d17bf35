// Hand-written TF.js layers models for tests: Keras layer specs plus seeded weights, written as model.json + one .bin shard.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededFloats } from '../../src/util/random.ts';

/** A Keras layer entry (functional form: `inputs` are the layers it reads, output 0 of call 0 each). */
export interface LayerSpec {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

/** A functional layer reading output 0 of call 0 of each of `inputs`. */
export function layer(className: string, name: string, config: Record<string, unknown>, inputs: string[]): LayerSpec {
  return { class_name: className, name, config: { name, ...config }, inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [] };
}

/** An InputLayer of shape [null, …dims]. */
export function input(name: string, dims: (number | null)[]): LayerSpec {
  return layer('InputLayer', name, { batch_input_shape: [null, ...dims], dtype: 'float32', sparse: false }, []);
}

/** A weight to write: manifest name, dims and the uniform range its seeded values come from. */
export interface WeightSpec {
  name: string;
  dims: number[];
  low?: number;
  high?: number;
}

/** A functional model config over `layers` with the given input and output layer names. */
export function functional(layers: LayerSpec[], inputs: string[], outputs: string[]): Record<string, unknown> {
  return { class_name: 'Functional', config: { name: 'model', layers, input_layers: inputs.map((n) => [n, 0, 0]), output_layers: outputs.map((n) => [n, 0, 0]) } };
}

/**
 * Writes `dir/model.json` (+ `weights.bin`) for the Keras `modelConfig` with seeded float32 weights, named in the
 * manifest exactly as given (so `layer/kernel`, `layer/kernel:0` or Keras 3's `layer/0` forms can be tested); returns the model.json path.
 */
export function writeLayersModel(dir: string, modelConfig: Record<string, unknown>, weights: WeightSpec[], seed = 1): string {
  const data = weights.map((w, i) => seededFloats(w.dims.reduce((a, b) => a * b, 1), seed * 1000 + i, w.low ?? -0.5, w.high ?? 0.5));
  const bytes = Buffer.concat(data.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)));
  writeFileSync(join(dir, 'weights.bin'), bytes);
  const json = {
    format: 'layers-model', generatedBy: 'ondevice tests', convertedBy: null,
    modelTopology: { keras_version: '2.10.0', backend: 'tensorflow', model_config: modelConfig },
    weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.dims, dtype: 'float32' })) }],
  };
  const file = join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}
