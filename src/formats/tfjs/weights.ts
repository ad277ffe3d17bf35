// TF.js weight shards: concatenated per manifest group, each weight decoded (and dequantized) exactly as TF.js does.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { FormatError } from '../../errors.ts';
import { elementCount, halfToFloat, makeTensor, type Tensor } from '../../ir/tensor.ts';
import type { TfjsWeightGroup, TfjsWeightSpec } from './model-json.ts';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** A shard path resolved against the model.json folder; absolute paths and paths leaving the folder are refused. */
export function shardPath(modelFile: string, shard: string): string {
  const dir = resolve(dirname(modelFile));
  const full = resolve(dir, decodeURIComponent(shard));
  if (shard.includes('://') || shard.startsWith('/') || !(full + sep).startsWith(dir + sep) && full !== dir) {
    throw new FormatError('tfjs', `weight shard path '${shard}' leaves the model's folder`, { file: modelFile });
  }
  return full;
}

function readWhole(path: string, modelFile: string): Uint8Array {
  let fd: number | undefined;
  try {
    const size = statSync(path).size;
    fd = openSync(path, 'r');
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FormatError('tfjs', `cannot read weight shard '${path}' (${code === 'ENOENT' ? 'file not found' : code ?? (e as Error).message})`, { file: modelFile, cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The byte length a weight occupies in its group's buffer (strings: read from their length prefixes). */
function byteLength(spec: TfjsWeightSpec, buf: Uint8Array, offset: number, file: string): number {
  const n = elementCount(spec.shape);
  if (spec.quantization) {
    const b = BYTES[spec.quantization.dtype];
    if (!b || !['uint8', 'uint16', 'float16'].includes(spec.quantization.dtype)) throw new FormatError('tfjs', `weight '${spec.name}' has unknown quantization dtype '${spec.quantization.dtype}'`, { file });
    return n * b;
  }
  if (spec.dtype === 'string') {
    let len = 0;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < n; i++) {
      if (offset + len + 4 > buf.length) return Infinity;
      len += 4 + view.getUint32(offset + len, true);
    }
    return len;
  }
  const b = BYTES[spec.dtype];
  if (!b) throw new FormatError('tfjs', `weight '${spec.name}' has unsupported dtype '${spec.dtype}'`, { file });
  return n * b;
}

/** Decodes one weight's bytes into an IR tensor (float32 for quantized float weights, int32 rounded for quantized ints). */
export function decodeWeight(spec: TfjsWeightSpec, bytes: Uint8Array, file: string): Tensor {
  const dims = [...spec.shape];
  const n = elementCount(dims);
  const copy = bytes.slice();
  const q = spec.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      if (spec.dtype !== 'float32') throw new FormatError('tfjs', `weight '${spec.name}' is float16-quantized but of type ${spec.dtype}`, { file });
      const h = new Uint16Array(copy.buffer, 0, n);
      return makeTensor(spec.name, 'float32', dims, Float32Array.from(h, halfToFloat));
    }
    if (typeof q.scale !== 'number' || typeof q.min !== 'number') throw new FormatError('tfjs', `weight '${spec.name}' is ${q.dtype}-quantized without 'scale' and 'min'`, { file });
    const raw = q.dtype === 'uint8' ? copy : new Uint16Array(copy.buffer, 0, n);
    if (spec.dtype === 'float32') {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = raw[i] * q.scale + q.min;
      return makeTensor(spec.name, 'float32', dims, out);
    }
    if (spec.dtype === 'int32') {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.round(raw[i] * q.scale + q.min);
      return makeTensor(spec.name, 'int32', dims, out);
    }
    throw new FormatError('tfjs', `weight '${spec.name}' of type ${spec.dtype} cannot be ${q.dtype}-quantized`, { file });
  }
  switch (spec.dtype) {
    case 'float32': return makeTensor(spec.name, 'float32', dims, new Float32Array(copy.buffer, 0, n));
    case 'int32': return makeTensor(spec.name, 'int32', dims, new Int32Array(copy.buffer, 0, n));
    case 'bool': return makeTensor(spec.name, 'bool', dims, copy);
    case 'string': {
      const values: Uint8Array[] = [];
      const view = new DataView(copy.buffer);
      let off = 0;
      for (let i = 0; i < n; i++) {
        const len = view.getUint32(off, true);
        values.push(copy.slice(off + 4, off + 4 + len));
        off += 4 + len;
      }
      return { name: spec.name, dtype: 'string', dims, data: { kind: 'strings', values } };
    }
    default: throw new FormatError('tfjs', `weight '${spec.name}' has unsupported dtype '${spec.dtype}'`, { file });
  }
}

/** A manifest group's shards read and concatenated in order; a shard that cannot be read is a FormatError naming the model file. */
export function readGroupBytes(modelFile: string, group: TfjsWeightGroup): Uint8Array {
  const parts = group.paths.map((p) => readWhole(shardPath(modelFile, p), modelFile));
  const buf = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    buf.set(p, off);
    off += p.length;
  }
  return buf;
}

/**
 * Every weight of the manifest by name, decoded. Each group's shards are read and concatenated in manifest order;
 * a group shorter than its weights need, or a shard that cannot be read, is one FormatError naming the model file.
 */
export function readWeights(modelFile: string, manifest: TfjsWeightGroup[]): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [g, group] of manifest.entries()) {
    const buf = readGroupBytes(modelFile, group);
    let off = 0;
    for (const spec of group.weights) {
      const len = byteLength(spec, buf, off, modelFile);
      if (off + len > buf.length) {
        throw new FormatError('tfjs', `weight '${spec.name}' needs bytes ${off}–${off + len} but group ${g}'s shards (${group.paths.join(', ')}) hold ${buf.length}`, { file: modelFile });
      }
      out.set(spec.name, decodeWeight(spec, buf.subarray(off, off + len), modelFile));
      off += len;
    }
  }
  return out;
}
