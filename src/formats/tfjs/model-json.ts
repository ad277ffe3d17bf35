// The TF.js model.json file: its shape as TypeScript types, and a parser that checks what the readers rely on.
import { readFileSync } from 'node:fs';
import { FormatError } from '../../errors.ts';

/** Element types a TF.js weight may declare. */
export type TfjsDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';

/** One weight in a manifest group: where its bytes are and how they were quantized by the converter. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: TfjsDType;
  /** Converter quantization: uint8/uint16 with `scale` and `min` (value = q·scale + min), or float16. */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
  /** Set by some converters on every weight; unused here. */
  group?: string;
}

/** A manifest group: shard files (concatenated in order) holding the group's weights back to back. */
export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** model.json as written by the TF.js converter (graph models) or by tfjs-layers / the Keras converter (layers models). */
export interface TfjsModelJson {
  /** 'graph-model' or 'layers-model'; absent in files written by older converters. */
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  /** Graph models: a GraphDef as JSON (`node`, `library`, `versions`). Layers models: the Keras model config. */
  modelTopology: Record<string, unknown>;
  weightsManifest: TfjsWeightGroup[];
  /** Graph models: a SignatureDef as JSON (`inputs`/`outputs` keyed by tensor name). */
  signature?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  /** Graph models with resource initialisation (hash tables): a second GraphDef. */
  modelInitializer?: Record<string, unknown>;
}

/** Which of the two TF.js model kinds a model.json holds. */
export type TfjsKind = 'graph-model' | 'layers-model';

/** The kind of a parsed model.json: by `format`, else by its topology (a GraphDef has `node`; Keras has `class_name`). */
export function tfjsKind(json: TfjsModelJson, file?: string): TfjsKind {
  if (json.format === 'graph-model' || json.format === 'layers-model') return json.format;
  const topo = json.modelTopology;
  if (Array.isArray(topo.node)) return 'graph-model';
  if (topo.model_config || topo.class_name) return 'layers-model';
  throw new FormatError('tfjs', `model.json format '${json.format ?? '(none)'}' is neither a graph model (modelTopology.node) nor a layers model (modelTopology.class_name)`, { file });
}

/** True when the first bytes look like a TF.js model.json (a JSON object naming modelTopology, format or weightsManifest early on). */
export function looksLikeTfjs(header: Uint8Array): boolean {
  const text = new TextDecoder().decode(header).trimStart();
  return text.startsWith('{') && /"(format|modelTopology|weightsManifest|generatedBy|convertedBy)"/.test(text);
}

/** Parses and checks a model.json text; every problem is one FormatError naming the file. */
export function parseModelJson(text: string, file?: string): TfjsModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError('tfjs', `not valid JSON (${(e as Error).message})`, { file, cause: e });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new FormatError('tfjs', 'model.json is not a JSON object', { file });
  const j = json as Record<string, unknown>;
  if (!j.modelTopology || typeof j.modelTopology !== 'object') throw new FormatError('tfjs', 'model.json has no modelTopology object', { file });
  const manifest = j.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new FormatError('tfjs', 'weightsManifest is not a list', { file });
  for (const [g, group] of manifest.entries()) {
    const grp = group as Partial<TfjsWeightGroup>;
    if (!grp || !Array.isArray(grp.paths) || !Array.isArray(grp.weights)) throw new FormatError('tfjs', `weightsManifest[${g}] needs 'paths' and 'weights' lists`, { file });
    for (const p of grp.paths) if (typeof p !== 'string') throw new FormatError('tfjs', `weightsManifest[${g}].paths holds a non-string`, { file });
    for (const w of grp.weights) {
      const spec = w as Partial<TfjsWeightSpec>;
      if (typeof spec?.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || typeof spec.dtype !== 'string') {
        throw new FormatError('tfjs', `weightsManifest[${g}] has a weight without a name, a shape of sizes and a dtype (${JSON.stringify(w).slice(0, 120)})`, { file });
      }
    }
  }
  return { ...(j as unknown as TfjsModelJson), weightsManifest: manifest as TfjsWeightGroup[] };
}

/** Reads and parses a model.json file. */
export function readModelJson(path: string): TfjsModelJson {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FormatError('tfjs', `cannot read model.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path, cause: e });
  }
  return parseModelJson(text, path);
}
