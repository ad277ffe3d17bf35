// The TFLite model format: recognise ("TFL3" at bytes 4–8), read into the IR, and write back what was read (compile/ makes new ones).
import { FormatError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import type { ModelFormat } from '../format.ts';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { looksLikeTflite, readTfliteFile } from './read.ts';
import type { TflModel } from './schema/types.ts';
import { TFLITE_DOMAIN, tfliteToIR } from './to-ir.ts';
import { encodeTflite } from './write.ts';

/**
 * Writes an IR model as .tflite: a model read from a .tflite file (nodes in the 'ai.tflite' domain) is re-encoded from
 * the object the reader kept. Formats only serialise: an ONNX-semantics model is refused with a pointer to the
 * compiler (`ondevice compile --target tflite`, or `compileToTflite` / `compileFile` in the library).
 */
async function writeTflite(model: Model, path: string): Promise<void> {
  const kept = model.extra?.tflite as TflModel | undefined;
  if (kept && model.graph.nodes.every((n) => n.domain === TFLITE_DOMAIN)) {
    writeFileAtomic(path, encodeTflite(kept));
    return;
  }
  if (model.graph.nodes.some((n) => n.domain === TFLITE_DOMAIN)) throw new FormatError('tflite', 'the model mixes TFLite and ONNX ops; cannot write it', { file: path });
  throw new FormatError('tflite', "an ONNX-semantics model is compiled, not written, as .tflite: use 'ondevice compile MODEL --target tflite -o OUT' (compileFile or compileToTflite in the library)", { file: path });
}

/** TensorFlow Lite / LiteRT (`.tflite`): a "TFL3" flatbuffer. The reader keeps the decoded object in `Model.extra.tflite`. */
export const tfliteFormat: ModelFormat = {
  name: 'tflite',
  extensions: ['.tflite'],
  matchMagic: looksLikeTflite,
  async read(path: string): Promise<Model> {
    return tfliteToIR(readTfliteFile(path));
  },
  write: writeTflite,
};

export { decodeTflite, readTfliteFile, looksLikeTflite } from './read.ts';
export { encodeTflite, writeTfliteFile } from './write.ts';
export { tfliteToIR, TFLITE_DOMAIN } from './to-ir.ts';
export type * from './schema/types.ts';
