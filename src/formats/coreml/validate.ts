// Structural checks of a stored Core ML package, independent of whatever wrote it: manifest, block keys, weight blobs, then the program.
import { readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { OndeviceError, withFile } from '../../errors.ts';
import { int64ToNumber } from '../onnx/proto.ts';
import { checkBlob, elementCount, scanBlobs, zeroData } from './blob.ts';
import { decodeCoreMl } from './decode.ts';
import { decodeModelMsg, type ModelMsg, type OperationMsg, type ValueMsg } from './proto.ts';
import { locateCoreMlFiles } from './read.ts';
import { tensorTypeOf } from './types.ts';
import { validateCoreMlModel } from './validate-model.ts';

export { validateCoreMlModel };

const MODEL_PATH = '@model_path/';

/** Every Value message of an op (input bindings and attributes), with where it is. */
function valuesOf(op: OperationMsg, at: string): [ValueMsg, string][] {
  const out: [ValueMsg, string][] = [];
  for (const [param, arg] of Object.entries(op.inputs ?? {})) for (const b of arg.arguments ?? []) if (b.value) out.push([b.value, `${at} input '${param}'`]);
  for (const [k, v] of Object.entries(op.attributes ?? {})) out.push([v, `${at} attribute '${k}'`]);
  return out;
}

/** Checks of the stored form: block specialisation keys, weight-file headers, every blob a value refers to. */
function checkStorage(msg: ModelMsg, modelFile: string, bare: boolean, problems: string[]): void {
  const base = dirname(modelFile);
  const files = new Map<string, Uint8Array | null>();
  // Problems found walking a weight file's records; reported unless a value referring to the same blob already says it.
  const scanProblems: string[] = [];
  const valueProblems: string[] = [];
  const load = (fileName: string, where: string): [Uint8Array, string] | undefined => {
    if (bare) {
      problems.push(`${where}: refers to weight file '${fileName}', which a bare model file has no folder for`);
      return undefined;
    }
    const file = fileName.startsWith(MODEL_PATH) ? resolve(base, fileName.slice(MODEL_PATH.length)) : undefined;
    if (!file || !file.startsWith(base + sep)) {
      problems.push(`${where}: weight file name '${fileName}' is not a path under ${MODEL_PATH}`);
      return undefined;
    }
    if (!files.has(file)) {
      try {
        const bytes = readFileSync(file);
        files.set(file, bytes);
        scanBlobs(bytes, file);
      } catch (e) {
        if (!files.has(file)) files.set(file, null);
        scanProblems.push(e instanceof OndeviceError ? e.toString() : `${file}: ${(e as Error).message}`);
      }
    }
    const bytes = files.get(file);
    return bytes ? [bytes, file] : undefined;
  };
  for (const [name, f] of Object.entries(msg.mlProgram?.functions ?? {})) {
    const keys = Object.keys(f.block_specializations ?? {});
    if (keys.length !== 1 || keys[0] !== f.opset) problems.push(`function '${name}': block specialisations (${keys.join(', ') || 'none'}) should be exactly its opset '${f.opset}'`);
    for (const block of Object.values(f.block_specializations ?? {})) {
      for (const op of block.operations ?? []) {
        const at = `function '${name}' op '${op.outputs?.[0]?.name ?? '?'}' (${op.type})`;
        for (const [v, where] of valuesOf(op, at)) {
          if (!v.blobFileValue) continue;
          const loaded = load(v.blobFileValue.fileName ?? '', where);
          if (!loaded) continue;
          try {
            checkBlob(loaded[0], int64ToNumber(v.blobFileValue.offset), tensorTypeOf(v.type, where), loaded[1]);
          } catch (e) {
            valueProblems.push(e instanceof OndeviceError ? `${where}: ${e.toString()}` : `${where}: ${(e as Error).message}`);
          }
        }
      }
    }
  }
  problems.push(...scanProblems.filter((p) => !valueProblems.some((v) => v.endsWith(p))), ...valueProblems);
}

/**
 * Validates the .mlpackage folder (or bare .mlmodel file) `dir` without trusting whatever wrote it: the checks of
 * {@link validateCoreMlModel} plus the stored form — manifest and model file readable, block specialisation key =
 * function opset, weight-file header, and for every weight-file constant its sentinel, offsets, size and element type
 * against the declared type. Returns the problems found, one line each; [] = valid. Never throws for a bad package.
 */
export async function validateCoreMlPackage(dir: string): Promise<string[]> {
  const problems: string[] = [];
  let modelFile: string | undefined;
  try {
    const files = locateCoreMlFiles(dir);
    modelFile = files.modelFile;
    const bytes = readFileSync(files.modelFile);
    let msg: ModelMsg;
    try {
      msg = decodeModelMsg(bytes);
    } catch (e) {
      return [`${files.modelFile}: not a Core ML model file (protobuf: ${(e as Error).message})`];
    }
    checkStorage(msg, files.modelFile, files.packageDir === undefined, problems);
    // Structure is checked on the decoded model; blobs were checked above, so they decode as zeros here.
    const model = decodeCoreMl(bytes, { blob: (_f, _o, type) => zeroData(type.dtype, elementCount(type.shape)) });
    problems.push(...validateCoreMlModel(model));
  } catch (e) {
    problems.push(e instanceof OndeviceError ? (modelFile ? withFile(e, modelFile) : e).toString() : (e as Error).message);
  }
  return [...new Set(problems)];
}
