// What `inspect` says about a model.json beyond its graph: kind, converter and how its weights are stored.
import { statSync } from 'node:fs';
import { tfjsKind, type TfjsKind, type TfjsModelJson } from './model-json.ts';
import { shardPath } from './weights.ts';

/** Facts of a TF.js model.json file. */
export interface TfjsFacts {
  kind: TfjsKind;
  /** `convertedBy` and `generatedBy` (e.g. 'TensorFlow.js Converter v3.5.0', 'keras v2.10.0'), as written. */
  convertedBy?: string;
  generatedBy?: string;
  /** Weights by how they are stored in the shards: 'float32', 'int32', … or the converter's quantization ('float16', 'uint8', 'uint16'). */
  weightStorage: Record<string, number>;
  /** Weight shard files over all manifest groups. */
  shards: number;
  /** Bytes in the shard files found (with `file` given). */
  shardBytes: number;
}

/** Bytes of the weight shards `json` lists beside `file`; shards that cannot be found count 0 (reading the model names them). */
export function shardBytes(file: string, json: TfjsModelJson): number {
  let total = 0;
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
    try {
      total += statSync(shardPath(file, p)).size;
    } catch {
      /* missing or outside the folder: the reader reports it */
    }
  }
  return total;
}

/** The facts of a parsed model.json (`file` names it in errors). */
export function describeTfjs(json: TfjsModelJson, file?: string): TfjsFacts {
  const weightStorage: Record<string, number> = {};
  for (const w of json.weightsManifest.flatMap((g) => g.weights)) {
    const storage = w.quantization?.dtype ?? w.dtype;
    weightStorage[storage] = (weightStorage[storage] ?? 0) + 1;
  }
  return {
    kind: tfjsKind(json, file),
    ...(json.convertedBy ? { convertedBy: String(json.convertedBy) } : {}),
    ...(json.generatedBy ? { generatedBy: String(json.generatedBy) } : {}),
    weightStorage,
    shards: json.weightsManifest.reduce((n, g) => n + g.paths.length, 0),
    shardBytes: file ? shardBytes(file, json) : 0,
  };
}
