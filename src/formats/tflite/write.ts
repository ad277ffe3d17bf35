// Serialises a TFLite model object to .tflite bytes (flatbuffer with the "TFL3" identifier) and writes it atomically.
import { FormatError } from '../../errors.ts';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { encodeRoot, TFLITE_IDENTIFIER } from './schema/codec.ts';
import type { TflModel } from './schema/types.ts';

/** Largest dim a TFLite shape (an int32 vector) holds. */
const INT32_MAX = 2 ** 31 - 1;

/** Flatbuffers address with 32-bit offsets: a file must stay below 2 GiB. */
const MAX_BYTES = 2 ** 31 - 1;

/** The .tflite bytes of a model object. Buffer 0 must be the empty sentinel the format requires; shapes must fit int32. */
export function encodeTflite(model: TflModel): Uint8Array {
  if (model.buffers.length === 0 || (model.buffers[0].data?.length ?? 0) > 0) {
    throw new FormatError('tflite', 'buffer 0 must be the empty sentinel buffer');
  }
  for (const sg of model.subgraphs) {
    for (const t of sg.tensors) {
      const bad = [...t.shape, ...(t.shape_signature ?? [])].find((d) => !Number.isInteger(d) || d < -1 || d > INT32_MAX);
      if (bad !== undefined) throw new FormatError('tflite', `tensor '${t.name}' has dim ${bad} in [${t.shape.join(',')}]; TFLite shapes are int32 sizes`);
    }
  }
  const dataBytes = model.buffers.reduce((s, b) => s + (b.data?.length ?? 0) + 16, 0);
  if (dataBytes > MAX_BYTES) throw new FormatError('tflite', `weights of ${dataBytes} bytes exceed the 2 GiB flatbuffer limit`);
  return encodeRoot('Model', model as unknown as Record<string, unknown>, TFLITE_IDENTIFIER, Math.min(MAX_BYTES, dataBytes + 64 * 1024));
}

/** Writes a model object to `path` through a temp file and a rename. */
export function writeTfliteFile(model: TflModel, path: string): number {
  const bytes = encodeTflite(model);
  writeFileAtomic(path, bytes);
  return bytes.byteLength;
}
