// Byte-level mutations of a model file: bit flips, truncation, splices from another seed, inserted bytes, interesting integers.
import type { Rng } from './rng.ts';

const INTERESTING_BYTES = [
  [0x00], [0xff], [0x7f], [0x80],
  [0xff, 0xff, 0xff, 0x7f], [0x00, 0x00, 0x00, 0x80], [0xff, 0xff, 0xff, 0xff], [0x00, 0x00, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // varint -1
  [0x80, 0x80, 0x80, 0x80, 0x08], // varint 2^31
];

/** One random byte-level mutation of `bytes` (a copy); `other` is a second file to splice from. Returns the bytes and a label. */
export function mutateBytes(bytes: Uint8Array, other: Uint8Array, rng: Rng): { bytes: Uint8Array; label: string } {
  const at = (n: number) => rng.int(Math.max(1, n));
  switch (rng.int(5)) {
    case 0: {
      const out = bytes.slice();
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips; i++) out[at(out.length)] ^= 1 << rng.int(8);
      return { bytes: out, label: `flip ${flips} bits` };
    }
    case 1: {
      const n = rng.chance(0.5) ? at(bytes.length) : bytes.length - 1 - at(Math.min(bytes.length, 64));
      return { bytes: bytes.slice(0, Math.max(0, n)), label: `truncate to ${n}` };
    }
    case 2: {
      const len = 1 + rng.int(Math.min(4096, other.length));
      const from = at(other.length - len);
      const to = at(bytes.length);
      const chunk = other.subarray(from, from + len);
      const out = rng.chance(0.5)
        ? concat(bytes.subarray(0, to), chunk, bytes.subarray(to))
        : concat(bytes.subarray(0, to), chunk, bytes.subarray(Math.min(bytes.length, to + chunk.length)));
      return { bytes: out, label: `splice ${chunk.length} bytes at ${to}` };
    }
    case 3: {
      const len = 1 + rng.int(64);
      const to = at(bytes.length);
      const chunk = Uint8Array.from({ length: len }, () => rng.int(256));
      return { bytes: concat(bytes.subarray(0, to), chunk, bytes.subarray(to)), label: `insert ${len} bytes at ${to}` };
    }
    default: {
      const out = bytes.slice();
      const value = rng.pick(INTERESTING_BYTES);
      const to = at(out.length - value.length);
      out.set(value.slice(0, out.length - to), to);
      return { bytes: out, label: `overwrite ${value.length} bytes at ${to}` };
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
