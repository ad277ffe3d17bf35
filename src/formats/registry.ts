// Format registry: picks a model format by file extension, then by magic bytes, and reads/writes through it.
import { isCoreMlPath } from './coreml/package.ts';
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import type { Model } from '../ir/graph.ts';
import { UsageError } from '../errors.ts';
import type { ModelFormat, ReadOptions, WriteOptions } from './format.ts';
import { onnxFormat } from './onnx/index.ts';
import { tfliteFormat } from './tflite/index.ts';
import { tfjsFormat } from './tfjs/index.ts';

/** Every known format, in the order magic bytes are tried. */
export const FORMATS: ModelFormat[] = [onnxFormat, tfliteFormat, tfjsFormat];

/** The format called `name` (e.g. 'onnx'), or a UsageError listing the known ones. */
export function formatByName(name: string): ModelFormat {
  const f = FORMATS.find((x) => x.name === name.toLowerCase());
  if (!f) throw new UsageError(`unknown model format '${name}' (known: ${FORMATS.map((x) => x.name).join(', ')})`);
  return f;
}

function formatByExtension(path: string): ModelFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext ? FORMATS.find((f) => f.extensions.includes(ext)) : undefined;
}

function readHeader(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = new Uint8Array(64);
    return header.subarray(0, readSync(fd, header, 0, 64, 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a model file' : `cannot read file (${code ?? (e as Error).message})`;
    throw new UsageError(problem, { file: path, cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The format of an existing file: by extension first, then by its first 64 bytes. */
export async function detectFormat(path: string): Promise<ModelFormat> {
  const header = readHeader(path);
  const byExt = formatByExtension(path);
  if (byExt) return byExt;
  const byMagic = FORMATS.find((f) => f.matchMagic(header));
  if (byMagic) return byMagic;
  throw new UsageError(`unknown model format (extension '${extname(path)}' and first bytes match none of: ${FORMATS.map((f) => f.name).join(', ')})`, { file: path });
}

/**
 * The format name of a model path for choosing a runtime: 'coreml' for a Core ML package or .mlmodel (read by
 * formats/coreml, not into the IR), else the detected format's name.
 */
export async function formatNameOf(path: string): Promise<string> {
  return isCoreMlPath(path) ? 'coreml' : (await detectFormat(path)).name;
}

/** Reads a model file of any known format. */
export async function readModel(path: string, options?: ReadOptions & { format?: string }): Promise<Model> {
  const format = options?.format ? formatByName(options.format) : await detectFormat(path);
  return format.read(path, options);
}

/** Writes a model in the format given by `options.format` or the path's extension. */
export async function writeModel(model: Model, path: string, options?: WriteOptions & { format?: string }): Promise<void> {
  const format = options?.format ? formatByName(options.format) : formatByExtension(path);
  if (!format) {
    throw new UsageError(`cannot tell the output format from extension '${extname(path)}' (known: ${FORMATS.flatMap((f) => f.extensions).join(', ')})`, { file: path });
  }
  if (!format.write) throw new UsageError(`writing ${format.name} models is not supported`, { file: path });
  await format.write(model, path, options);
}
