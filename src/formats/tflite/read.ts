// Reads .tflite bytes into the TFLite model object, checking the identifier and every index the graph holds.
import { readFileSync } from 'node:fs';
import { FormatError, UsageError } from '../../errors.ts';
import { decodeRoot, TFLITE_IDENTIFIER } from './schema/codec.ts';
import { byteLength } from '../../ir/dtype.ts';
import { dtypeOfTensorType } from './schema/enums.ts';
import { decodeStringBuffer } from './strings.ts';
import type { TflModel, TflTensor } from './schema/types.ts';

/** True when bytes 4–8 hold the TFLite file identifier "TFL3". */
export function looksLikeTflite(header: Uint8Array): boolean {
  return header.length >= 8 && String.fromCharCode(...header.subarray(4, 8)) === TFLITE_IDENTIFIER;
}

function check(ok: boolean, message: string, file?: string): void {
  if (!ok) throw new FormatError('tflite', message, { file });
}

/** A constant tensor's buffer must hold exactly what its shape and type ask for (4-bit packed two per byte; strings as counted). */
function checkConstantSize(t: TflTensor, data: Uint8Array | undefined, si: number, file?: string): void {
  const dtype = dtypeOfTensorType(t.type);
  if (!data?.length || !dtype) return;
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (dtype === 'string') {
    const strings = decodeStringBuffer(data);
    if (typeof strings === 'string') check(false, `subgraph ${si}: string tensor '${t.name}': ${strings}`, file);
    else check(strings.length === count, `subgraph ${si}: string tensor '${t.name}' ([${t.shape.join(',')}]) holds ${strings.length} strings`, file);
    return;
  }
  const need = byteLength(dtype, count);
  check(data.length === need, `subgraph ${si}: tensor '${t.name}' (${dtype}[${t.shape.join(',')}]) needs ${need} bytes, its buffer ${t.buffer} holds ${data.length}`, file);
}

/** Decodes and validates a TFLite model (tensor, buffer and opcode indices in range; shapes are sizes; constants fill their buffers). */
export function decodeTflite(bytes: Uint8Array, file?: string): TflModel {
  check(looksLikeTflite(bytes), 'not a TFLite file (no "TFL3" identifier at bytes 4–8)', file);
  let model: TflModel;
  try {
    model = decodeRoot(bytes, 'Model', TFLITE_IDENTIFIER) as unknown as TflModel;
  } catch (e) {
    throw new FormatError('tflite', `corrupt flatbuffer (${(e as Error).message})`, { file, cause: e });
  }
  model.operator_codes ??= [];
  model.subgraphs ??= [];
  model.buffers ??= [];
  check(model.subgraphs.length > 0, 'the model has no subgraph', file);
  for (const [si, sg] of model.subgraphs.entries()) {
    sg.tensors ??= [];
    sg.inputs ??= [];
    sg.outputs ??= [];
    sg.operators ??= [];
    const tensorOk = (i: number) => i === -1 || (i >= 0 && i < sg.tensors.length);
    for (const t of sg.tensors) {
      t.shape ??= [];
      t.name ??= '';
      check(t.buffer >= 0 && (t.buffer === 0 || t.buffer < model.buffers.length), `subgraph ${si}: tensor '${t.name}' refers to missing buffer ${t.buffer}`, file);
      check(t.shape.every((d) => Number.isSafeInteger(d) && d >= 0), `subgraph ${si}: tensor '${t.name}' has shape [${t.shape.join(',')}] with a dim that is not a size`, file);
      checkConstantSize(t, model.buffers[t.buffer]?.data, si, file);
    }
    check([...sg.inputs, ...sg.outputs].every((i) => i >= 0 && i < sg.tensors.length), `subgraph ${si}: an input/output index is out of range`, file);
    for (const [oi, op] of sg.operators.entries()) {
      op.inputs ??= [];
      op.outputs ??= [];
      check(op.opcode_index < model.operator_codes.length, `subgraph ${si}: operator ${oi} has opcode index ${op.opcode_index} of ${model.operator_codes.length}`, file);
      check([...op.inputs, ...op.outputs].every(tensorOk), `subgraph ${si}: operator ${oi} refers to a missing tensor`, file);
    }
  }
  return model;
}

/** Reads and decodes a .tflite file. */
export function readTfliteFile(path: string): TflModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path, cause: e });
  }
  return decodeTflite(bytes, path);
}
