// TFLite string tensor buffers (count, count + 1 offsets, then the bytes): checked and split into one byte array per string.

/** The strings a TFLite string buffer holds, or why it is malformed (e.g. a count or offset past the buffer). */
export function decodeStringBuffer(data: Uint8Array): Uint8Array[] | string {
  if (data.length < 8) return `${data.length} bytes cannot hold a string count and offsets`;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getInt32(0, true);
  if (count < 0 || 4 * (count + 2) > data.length) return `a count of ${count} strings does not fit ${data.length} bytes`;
  const values: Uint8Array[] = [];
  let start = view.getInt32(4, true);
  if (start !== 4 * (count + 2)) return `the first string starts at byte ${start}, not ${4 * (count + 2)}`;
  for (let i = 0; i < count; i++) {
    const end = view.getInt32(8 + 4 * i, true);
    if (end < start || end > data.length) return `string ${i} ends at byte ${end}, outside ${start}..${data.length}`;
    values.push(data.subarray(start, end));
    start = end;
  }
  return values;
}
