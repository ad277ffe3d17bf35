// Generic flatbuffer encode/decode of the TFLite tables described in tables.ts, over the npm `flatbuffers` Builder/ByteBuffer.
import { Builder, ByteBuffer } from 'flatbuffers';
import { TABLES, UNIONS, type FieldDef } from './tables.ts';

type Obj = Record<string, unknown>;

/** The 4-byte file identifier of TFLite model files (bytes 4–8). */
export const TFLITE_IDENTIFIER = 'TFL3';

function tableDef(name: string): readonly FieldDef[] {
  const def = TABLES[name];
  if (!def) throw new Error(`no table definition for '${name}'`);
  return def;
}

function numberVector(b: Builder, kind: string, values: ArrayLike<number> | boolean[]): number {
  const n = values.length;
  const size = kind === 'int64[]' ? 8 : kind === 'bool[]' ? 1 : 4;
  b.startVector(size, n, size);
  for (let i = n - 1; i >= 0; i--) {
    const v = Number(values[i]);
    if (kind === 'int32[]') b.addInt32(v);
    else if (kind === 'float32[]') b.addFloat32(v);
    else if (kind === 'int64[]') b.addInt64(BigInt(Math.trunc(v)));
    else b.addInt8(v ? 1 : 0);
  }
  return b.endVector();
}

/** A [ubyte] vector aligned to 16 bytes (schema: `force_align: 16`), copied in one block. */
function alignedBytes(b: Builder, bytes: Uint8Array): number {
  b.startVector(1, bytes.length, 16);
  const inner = b as unknown as { space: number };
  inner.space -= bytes.length;
  b.dataBuffer().setPosition(inner.space);
  b.dataBuffer().bytes().set(bytes, inner.space);
  return b.endVector();
}

/** Writes one table (children first, as flatbuffers requires) and returns its offset. */
export function encodeTable(b: Builder, name: string, obj: Obj): number {
  const fields = tableDef(name);
  const offsets = new Map<string, number>();
  for (const fd of fields) {
    const v = obj[fd.name];
    if (v === undefined || v === null) continue;
    const k = fd.kind;
    if (k === 'string') offsets.set(fd.name, b.createString(v as string));
    else if (k === 'bytes') offsets.set(fd.name, alignedBytes(b, v as Uint8Array));
    else if (typeof k === 'string' && k.endsWith('[]')) offsets.set(fd.name, numberVector(b, k, v as number[]));
    else if (typeof k === 'object' && 'table' in k) offsets.set(fd.name, encodeTable(b, k.table, v as Obj));
    else if (typeof k === 'object' && 'tables' in k) {
      const items = (v as Obj[]).map((item) => encodeTable(b, k.tables, item));
      b.startVector(4, items.length, 4);
      for (let i = items.length - 1; i >= 0; i--) b.addOffset(items[i]);
      offsets.set(fd.name, b.endVector());
    } else if (typeof k === 'object' && 'union' in k) {
      const type = Number(obj[`${fd.name}_type`] ?? 0);
      if (type > 0) offsets.set(fd.name, encodeTable(b, UNIONS[k.union][type - 1], v as Obj));
    }
  }
  const slots = Math.max(0, ...fields.map((fd) => fd.slot + (typeof fd.kind === 'object' && 'union' in fd.kind ? 2 : 1)));
  b.startObject(slots);
  for (const fd of fields) {
    const v = obj[fd.name];
    const off = offsets.get(fd.name);
    if (off !== undefined) {
      if (typeof fd.kind === 'object' && 'union' in fd.kind) {
        b.addFieldInt8(fd.slot, Number(obj[`${fd.name}_type`]), 0);
        b.addFieldOffset(fd.slot + 1, off, 0);
      } else b.addFieldOffset(fd.slot, off, 0);
      continue;
    }
    if (v === undefined || v === null || typeof fd.kind !== 'string') continue;
    const def = Number(fd.default ?? 0);
    const num = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    switch (fd.kind) {
      case 'bool': case 'int8': case 'uint8': b.addFieldInt8(fd.slot, num, def); break;
      case 'int32': case 'uint32': b.addFieldInt32(fd.slot, num | 0, def); break;
      case 'float32': b.addFieldFloat32(fd.slot, num, def); break;
      case 'int64': case 'uint64': b.addFieldInt64(fd.slot, BigInt(Math.trunc(num)), BigInt(def)); break;
    }
  }
  return b.endObject();
}

/** Serialises a root table with a file identifier. */
export function encodeRoot(name: string, obj: Obj, identifier: string, sizeHint = 1024): Uint8Array {
  const b = new Builder(sizeHint);
  b.finish(encodeTable(b, name, obj), identifier);
  return b.asUint8Array();
}

function readNumberVector(bb: ByteBuffer, kind: string, start: number, len: number): number[] | boolean[] {
  const out: number[] = new Array(len);
  for (let i = 0; i < len; i++) {
    if (kind === 'int32[]') out[i] = bb.readInt32(start + 4 * i);
    else if (kind === 'float32[]') out[i] = bb.readFloat32(start + 4 * i);
    else if (kind === 'int64[]') out[i] = Number(bb.readInt64(start + 8 * i));
    else out[i] = bb.readInt8(start + i);
  }
  return kind === 'bool[]' ? out.map(Boolean) : out;
}

/** Reads one table at `pos`; absent scalars take their schema default, absent others are left out. */
export function decodeTable(bb: ByteBuffer, name: string, pos: number): Obj {
  const out: Obj = {};
  for (const fd of tableDef(name)) {
    const o = bb.__offset(pos, 4 + 2 * fd.slot);
    const k = fd.kind;
    if (typeof k === 'string' && !k.endsWith('[]') && k !== 'string' && k !== 'bytes') {
      if (!o) {
        if (fd.default !== undefined) out[fd.name] = fd.default;
        continue;
      }
      const at = pos + o;
      switch (k) {
        case 'bool': out[fd.name] = bb.readInt8(at) !== 0; break;
        case 'int8': out[fd.name] = bb.readInt8(at); break;
        case 'uint8': out[fd.name] = bb.readUint8(at); break;
        case 'int32': out[fd.name] = bb.readInt32(at); break;
        case 'uint32': out[fd.name] = bb.readUint32(at); break;
        case 'float32': out[fd.name] = bb.readFloat32(at); break;
        case 'int64': out[fd.name] = Number(bb.readInt64(at)); break;
        case 'uint64': out[fd.name] = Number(bb.readUint64(at)); break;
      }
      continue;
    }
    if (typeof k === 'object' && 'union' in k) {
      const type = o ? bb.readUint8(pos + o) : 0;
      const vo = bb.__offset(pos, 4 + 2 * (fd.slot + 1));
      out[`${fd.name}_type`] = type;
      const member = UNIONS[k.union][type - 1];
      if (type > 0 && vo && member && TABLES[member]) out[fd.name] = decodeTable(bb, member, bb.__indirect(pos + vo));
      continue;
    }
    if (!o) continue;
    if (k === 'string') out[fd.name] = bb.__string(pos + o) as string;
    else if (typeof k === 'object' && 'table' in k) out[fd.name] = decodeTable(bb, k.table, bb.__indirect(pos + o));
    else {
      const start = bb.__vector(pos + o);
      const len = bb.__vector_len(pos + o);
      if (k === 'bytes') out[fd.name] = bb.bytes().subarray(start, start + len);
      else if (typeof k === 'object' && 'tables' in k) out[fd.name] = Array.from({ length: len }, (_, i) => decodeTable(bb, k.tables, bb.__indirect(start + 4 * i)));
      else out[fd.name] = readNumberVector(bb, k as string, start, len);
    }
  }
  return out;
}

/** Reads the root table of a buffer, checking its file identifier. */
export function decodeRoot(bytes: Uint8Array, name: string, identifier: string): Obj {
  const bb = new ByteBuffer(bytes);
  if (bytes.length < 8 || !bb.__has_identifier(identifier)) throw new Error(`no '${identifier}' file identifier at bytes 4–8`);
  return decodeTable(bb, name, bb.readInt32(bb.position()) + bb.position());
}
