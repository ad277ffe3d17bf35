// The ONNX model format: recognise, read and write `.onnx` files.
import type { ModelFormat } from '../format.ts';
import { readOnnx } from './read.ts';
import { looksLikeOnnx } from './sniff.ts';
import { writeOnnx } from './write.ts';

/**
 * ONNX (`.onnx`): protobuf ModelProto, optionally with external-data files next to it.
 * Round-trip keys the reader puts in `extra`: `Model.extra.onnxRawFields` (encoded ModelProto fields the
 * IR does not map, e.g. training_info, re-emitted verbatim), `Tensor.extra.onnxMetadata` (metadata_props)
 * and `Tensor.extra.onnxSegment`.
 */
export const onnxFormat: ModelFormat = {
  name: 'onnx',
  extensions: ['.onnx'],
  matchMagic: looksLikeOnnx,
  read: readOnnx,
  write: writeOnnx,
};

export { readOnnx, decodeOnnx } from './read.ts';
export { writeOnnx, encodeOnnx } from './write.ts';
