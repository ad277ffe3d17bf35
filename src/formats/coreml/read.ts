// Reads an .mlpackage folder (or a bare .mlmodel file without weight-file constants) into a CoreMlModel.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { FormatError, OndeviceError, withFile } from '../../errors.ts';
import { readBlobData } from './blob.ts';
import { decodeCoreMl } from './decode.ts';
import { DATA_DIR, MANIFEST_FILE, type Manifest } from './package.ts';
import type { CoreMlModel, MilTensorType } from './program.ts';

const FORMAT = 'coreml';
const MODEL_PATH = '@model_path/';

/** Where a package's parts are. */
export interface CoreMlFiles {
  /** The package folder, or undefined for a bare .mlmodel file. */
  packageDir?: string;
  /** The model specification file (Data/com.apple.CoreML/model.mlmodel in a package). */
  modelFile: string;
}

/** One constant tensor as stored: its type and whether it lives in a weight file or inline. */
export interface StoredTensor {
  type: MilTensorType;
  storage: 'blob' | 'immediate';
}

/** A model read with where its parts and constants were. */
export interface CoreMlRead {
  model: CoreMlModel;
  files: CoreMlFiles;
  /** Weight files the program refers to, as absolute paths. */
  weightFiles: string[];
  tensors: StoredTensor[];
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FormatError(FORMAT, `cannot read the package manifest (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(FORMAT, `package manifest is not JSON (${(e as Error).message})`, { file, cause: e });
  }
}

/** Finds the model file of `path`: the root model a package's Manifest.json names, or `path` itself when it is a file. */
export function locateCoreMlFiles(path: string): CoreMlFiles {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new FormatError(FORMAT, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path, cause: e });
  }
  if (!isDir) return { modelFile: path };
  const manifestFile = join(path, MANIFEST_FILE);
  const manifest = readJson(manifestFile) as Partial<Manifest> | null;
  const id = manifest?.rootModelIdentifier;
  const item = typeof id === 'string' ? manifest?.itemInfoEntries?.[id] : undefined;
  if (!item || typeof item.path !== 'string') throw new FormatError(FORMAT, `manifest names no root model item (rootModelIdentifier ${JSON.stringify(id)})`, { file: manifestFile });
  const dataDir = resolve(path, DATA_DIR);
  const modelFile = resolve(dataDir, item.path);
  if (relative(dataDir, modelFile).startsWith('..')) throw new FormatError(FORMAT, `root model path '${item.path}' leaves the package's Data folder`, { file: manifestFile });
  return { packageDir: path, modelFile };
}

/**
 * Reads a Core ML model with the facts `inspect` and the validator want: which weight files it refers to and how each
 * constant tensor is stored. Weight-file constants are loaded eagerly into their values' `data`.
 * @throws FormatError naming the file at fault (manifest, model.mlmodel or weight.bin) for missing or corrupt parts.
 */
export function readCoreMlDetailed(path: string): CoreMlRead {
  const files = locateCoreMlFiles(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(files.modelFile);
  } catch (e) {
    throw new FormatError(FORMAT, `cannot read the model specification (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: files.modelFile, cause: e });
  }
  const weights = new Map<string, Uint8Array>();
  const tensors: StoredTensor[] = [];
  const blob = (fileName: string, offset: number, type: MilTensorType, where: string) => {
    if (!files.packageDir) throw new FormatError(FORMAT, `${where} refers to weight file '${fileName}', which a bare model file has no folder for: read the .mlpackage`);
    if (!fileName.startsWith(MODEL_PATH)) throw new FormatError(FORMAT, `${where}: weight file name '${fileName}' does not start with ${MODEL_PATH}`);
    const base = dirname(files.modelFile);
    const file = resolve(base, fileName.slice(MODEL_PATH.length));
    if (!file.startsWith(base + sep)) throw new FormatError(FORMAT, `${where}: weight file '${fileName}' leaves the model's folder`);
    let data = weights.get(file);
    if (!data) {
      try {
        data = readFileSync(file);
      } catch (e) {
        throw new FormatError(FORMAT, `cannot read the weight file ${where} refers to (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file, cause: e });
      }
      weights.set(file, data);
    }
    return readBlobData(data, offset, type, file);
  };
  try {
    const model = decodeCoreMl(bytes, { blob, onTensor: (type, storage) => tensors.push({ type, storage }) });
    return { model, files, weightFiles: [...weights.keys()], tensors };
  } catch (e) {
    throw e instanceof OndeviceError ? withFile(e, files.modelFile) : e;
  }
}

/**
 * Reads the .mlpackage folder `dir` (through its Manifest.json) or a bare .mlmodel file into a CoreMlModel; constants
 * in weights/weight.bin are loaded into their values' `data`. A bare .mlmodel must hold only inline constants.
 * @throws FormatError naming the file at fault for a missing or corrupt manifest, model file or weight file.
 */
export async function readCoreMlPackage(dir: string): Promise<CoreMlModel> {
  return readCoreMlDetailed(dir).model;
}
