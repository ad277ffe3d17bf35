// Reads .tflite bytes into the TFLite model object, checking the identifier and every index the graph holds.
import { readFileSync } from 'node:fs';
import { FormatError, UsageError } from '../../errors.ts';
import { decodeRoot, TFLITE_IDENTIFIER } from './schema/codec.ts';
import type { TflModel } from './schema/types.ts';

/** True when bytes 4–8 hold the TFLite file identifier "TFL3". */
export function looksLikeTflite(header: Uint8Array): boolean {
  return header.length >= 8 && String.fromCharCode(...header.subarray(4, 8)) === TFLITE_IDENTIFIER;
}

function check(ok: boolean, message: string, file?: string): void {
  if (!ok) throw new FormatError('tflite', message, { file });
}

/** Decodes and validates a TFLite model (tensor, buffer and opcode indices in range). */
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
