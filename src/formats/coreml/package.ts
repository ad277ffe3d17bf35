// The .mlpackage folder layout: Manifest.json (coremltools' ModelPackage) and where the model and weight files live.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * modelpackage/src/ModelPackage.cpp and coremltools/models/utils.py (_MLPACKAGE_AUTHOR_NAME, setRootModel/addItem):
 * Manifest.json = { fileFormatVersion: "1.0.0", itemInfoEntries: { <UUID>: { author, description, name, path } },
 * rootModelIdentifier: <UUID of the model item> }; an item's path is relative to the package's Data folder.
 * nlohmann::json writes keys sorted, indented by 4.
 */

/** Manifest.json at the package root. */
export const MANIFEST_FILE = 'Manifest.json';
/** The folder item paths are relative to. */
export const DATA_DIR = 'Data';
/** The author Core ML's own items carry. */
export const COREML_AUTHOR = 'com.apple.CoreML';
/** Item name of the model specification. */
export const MODEL_FILE_NAME = 'model.mlmodel';
/** Item name of the weights folder, and the weight file in it. */
export const WEIGHTS_DIR_NAME = 'weights';
export const WEIGHT_BIN_NAME = 'weight.bin';

/** One Manifest.json item. */
export interface ManifestItem {
  author: string;
  description: string;
  name: string;
  path: string;
}

/** Manifest.json as parsed. */
export interface Manifest {
  fileFormatVersion: string;
  itemInfoEntries: Record<string, ManifestItem>;
  rootModelIdentifier: string;
}

/** A UUID (upper-case, version-4 shaped) derived from `seed`, so the same model gives the same package. */
function uuidFrom(seed: string | Uint8Array): string {
  const h = createHash('sha256').update(seed).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The Manifest.json text for a package whose model file has bytes `modelBytes` (identifiers derive from them). */
export function manifestJson(modelBytes: Uint8Array): string {
  const modelId = uuidFrom(modelBytes);
  const weightsId = uuidFrom(`${modelId}/weights`);
  const manifest: Manifest = {
    fileFormatVersion: '1.0.0',
    itemInfoEntries: Object.fromEntries([
      [modelId, { author: COREML_AUTHOR, description: 'CoreML Model Specification', name: MODEL_FILE_NAME, path: `${COREML_AUTHOR}/${MODEL_FILE_NAME}` }],
      [weightsId, { author: COREML_AUTHOR, description: 'CoreML Model Weights', name: WEIGHTS_DIR_NAME, path: `${COREML_AUTHOR}/${WEIGHTS_DIR_NAME}` }],
    ].sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))),
    rootModelIdentifier: modelId,
  };
  return `${JSON.stringify(manifest, null, 4)}\n`;
}

/** True when `dir` is a folder with a Manifest.json: a model package (ours or another tool's). */
export function isModelPackage(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, MANIFEST_FILE));
  } catch {
    return false;
  }
}

/** True for what the Core ML reader handles: a folder with a Manifest.json, or a path named *.mlpackage or *.mlmodel. */
export function isCoreMlPath(path: string): boolean {
  return isModelPackage(path) || /\.(mlmodel|mlpackage[\\/]?)$/i.test(path);
}
