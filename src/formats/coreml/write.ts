// Writes a CoreMlModel as an .mlpackage folder (Manifest.json, Data/com.apple.CoreML/model.mlmodel and weights/weight.bin), atomically.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomically } from '../../util/atomic-dir.ts';
import { encodeCoreMl } from './encode.ts';
import { COREML_AUTHOR, DATA_DIR, isModelPackage, MANIFEST_FILE, manifestJson, MODEL_FILE_NAME, WEIGHT_BIN_NAME, WEIGHTS_DIR_NAME } from './package.ts';
import type { CoreMlModel } from './program.ts';

/**
 * Writes `model` as the .mlpackage folder `dir`: the folder is filled beside `dir` and swapped in, so a failure leaves
 * `dir` as it was. An existing `dir` is replaced only when empty or a model package (it has a Manifest.json).
 * Constants of 10+ elements go to weights/weight.bin (see `storesInBlob`). Returns the two files' sizes.
 * @throws UsageError when `dir` exists and is not a model package; FormatError for values that cannot be serialised.
 */
export async function writeCoreMlPackage(model: CoreMlModel, dir: string): Promise<{ modelBytes: number; weightBytes: number }> {
  const encoded = encodeCoreMl(model);
  return writeDirAtomically(dir, isModelPackage, async (temp) => {
    const itemDir = join(temp, DATA_DIR, COREML_AUTHOR);
    mkdirSync(join(itemDir, WEIGHTS_DIR_NAME), { recursive: true });
    writeFileSync(join(itemDir, MODEL_FILE_NAME), encoded.model);
    writeFileSync(join(itemDir, WEIGHTS_DIR_NAME, WEIGHT_BIN_NAME), encoded.weights);
    writeFileSync(join(temp, MANIFEST_FILE), manifestJson(encoded.model));
    return { modelBytes: encoded.model.byteLength, weightBytes: encoded.weights.byteLength };
  });
}
