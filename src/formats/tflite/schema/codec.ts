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

/** Tables nest this deep at most (TFLite's own schema nests a few levels; deeper means a cycle). */
const MAX_DEPTH = 64;

/**
 * Bounds for one decode: every offset and length read from the file is checked against the buffer before it is
 * used, so corrupt bytes give an Error (the reader turns it into a FormatError naming the file) instead of a
 * huge allocation or reads past the end. `budget` caps the tables and vector elements decoded, so shared or
 * cyclic offsets cannot blow up the work either.
 */
class Bounds {
  budget: number;
  constructor(readonly bb: ByteBuffer) {
    this.budget = 2 * bb.capacity() + 1024;
  }

  /** Throws unless `size` bytes at `at` lie inside the buffer. */
  need(at: number, size: number, what: string): void {
    const n = this.bb.capacity();
    if (!(Number.isSafeInteger(at) && Number.isSafeInteger(size) && at >= 0 && size >= 0 && at + size <= n)) {
      throw new Error(`${what} at byte ${at} (${size} bytes) lies outside the ${n}-byte buffer`);
    }
  }

  spend(units: number, what: string): void {
    this.budget -= units;
    if (this.budget < 0) throw new Error(`${what}: more tables and vector elements than the file can hold (shared or cyclic offsets)`);
  }

  /** Follows the uoffset stored at `at` (checked) and returns the absolute position it points to. */
  indirect(at: number, what: string): number {
    this.need(at, 4, `offset to ${what}`);
    return at + this.bb.readUint32(at);
  }

  /** A vector's element start and length (checked: every element lies inside the buffer). */
  vector(at: number, elemSize: number, what: string): { start: number; len: number } {
    const vec = this.indirect(at, what);
    this.need(vec, 4, `length of ${what}`);
    const len = this.bb.readUint32(vec);
    this.need(vec + 4, len * elemSize, `${what} of ${len} elements`);
    return { start: vec + 4, len };
  }
}

const SCALAR_SIZE: Record<string, number> = { bool: 1, int8: 1, uint8: 1, int32: 4, uint32: 4, float32: 4, int64: 8, uint64: 8 };
const ELEMENT_SIZE: Record<string, number> = { 'int32[]': 4, 'float32[]': 4, 'int64[]': 8, 'bool[]': 1, bytes: 1, string: 1 };

/** Reads one table at `pos`; absent scalars take their schema default, absent others are left out. */
export function decodeTable(bb: ByteBuffer, name: string, pos: number): Obj {
  return decodeChecked(new Bounds(bb), name, pos, 0);
}

function decodeChecked(c: Bounds, name: string, pos: number, depth: number): Obj {
  const bb = c.bb;
  if (depth > MAX_DEPTH) throw new Error(`${name} tables nest deeper than ${MAX_DEPTH} levels (cyclic offsets)`);
  c.spend(1, name);
  c.need(pos, 4, `${name} table`);
  const vtable = pos - bb.readInt32(pos);
  c.need(vtable, 4, `${name} vtable`);
  const vtableSize = bb.readUint16(vtable);
  if (vtableSize < 4 || vtableSize % 2) throw new Error(`${name} vtable at byte ${vtable} has a bad size ${vtableSize}`);
  c.need(vtable, vtableSize, `${name} vtable`);
  const out: Obj = {};
  for (const fd of tableDef(name)) {
    const o = bb.__offset(pos, 4 + 2 * fd.slot);
    const k = fd.kind;
    const field = `${name}.${fd.name}`;
    if (typeof k === 'string' && !k.endsWith('[]') && k !== 'string' && k !== 'bytes') {
      if (!o) {
        if (fd.default !== undefined) out[fd.name] = fd.default;
        continue;
      }
      const at = pos + o;
      c.need(at, SCALAR_SIZE[k] ?? 8, field);
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
      if (o) c.need(pos + o, 1, `${field}_type`);
      const type = o ? bb.readUint8(pos + o) : 0;
      const vo = bb.__offset(pos, 4 + 2 * (fd.slot + 1));
      out[`${fd.name}_type`] = type;
      const member = UNIONS[k.union][type - 1];
      if (type > 0 && vo && member && TABLES[member]) out[fd.name] = decodeChecked(c, member, c.indirect(pos + vo, field), depth + 1);
      continue;
    }
    if (!o) continue;
    if (k === 'string') {
      const { start, len } = c.vector(pos + o, 1, field);
      out[fd.name] = new TextDecoder().decode(bb.bytes().subarray(start, start + len));
    } else if (typeof k === 'object' && 'table' in k) out[fd.name] = decodeChecked(c, k.table, c.indirect(pos + o, field), depth + 1);
    else if (typeof k === 'object' && 'tables' in k) {
      const { start, len } = c.vector(pos + o, 4, field);
      c.spend(len, field);
      const items: Obj[] = [];
      for (let i = 0; i < len; i++) items.push(decodeChecked(c, k.tables, c.indirect(start + 4 * i, field), depth + 1));
      out[fd.name] = items;
    } else {
      const { start, len } = c.vector(pos + o, ELEMENT_SIZE[k as string] ?? 8, field);
      if (k === 'bytes') out[fd.name] = bb.bytes().subarray(start, start + len);
      else {
        c.spend(len, field);
        out[fd.name] = readNumberVector(bb, k as string, start, len);
      }
    }
  }
  return out;
}

/** Reads the root table of a buffer, checking its file identifier. */
export function decodeRoot(bytes: Uint8Array, name: string, identifier: string): Obj {
  const bb = new ByteBuffer(bytes);
  if (bytes.length < 8 || !bb.__has_identifier(identifier)) throw new Error(`no '${identifier}' file identifier at bytes 4–8`);
  return decodeTable(bb, name, bb.readUint32(bb.position()) + bb.position());
}
