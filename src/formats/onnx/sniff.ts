// Recognises ONNX files by their first bytes (ONNX has no magic number: check for a plausible ModelProto start).

function varint(b: Uint8Array, at: number): [value: number, next: number] | undefined {
  let value = 0;
  for (let i = 0, scale = 1; i < 10 && at + i < b.length; i++, scale *= 128) {
    value += (b[at + i] & 0x7f) * scale;
    if ((b[at + i] & 0x80) === 0) return [value, at + i + 1];
  }
  return undefined;
}

/** Wire type of a tag byte for each ModelProto field a file may plausibly start with. */
const FIRST_FIELDS: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2 };

/**
 * True when `header` starts like an ONNX ModelProto: a known ModelProto field with the right wire
 * type (ir_version must be 1..64; strings and messages must have a sane length), followed by another
 * valid tag when the header is long enough to show one.
 */
export function looksLikeOnnx(header: Uint8Array): boolean {
  const tag = varint(header, 0);
  if (!tag) return false;
  const [field, wire] = [Math.floor(tag[0] / 8), tag[0] & 7];
  if (FIRST_FIELDS[field] !== wire) return false;
  const value = varint(header, tag[1]);
  if (!value) return false;
  if (field === 1 && (value[0] < 1 || value[0] > 64)) return false;
  if (wire === 0) {
    const next = value[1] < header.length ? varint(header, value[1]) : undefined;
    return value[1] >= header.length || (next !== undefined && next[0] >= 8 && (next[0] & 7) <= 5 && (next[0] & 7) !== 3 && (next[0] & 7) !== 4);
  }
  // Length-delimited first field: a string or message must fit in 2 GiB and not be empty garbage.
  return value[0] > 0 && value[0] < 2 ** 31;
}
