// HTTP Range requests for `ondevice serve`: one `bytes=` range of a file, or why it cannot be served.

/** What a Range header asks of a file: one range (inclusive bounds), 'unsatisfiable' (answer 416), or null (ignore it, send the whole file). */
export type RangeRequest = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * Parses a Range header against a file of `size` bytes: `bytes=a-b`, `bytes=a-` and `bytes=-n` (the last n bytes),
 * the end clamped to the file. A range starting at or past the end (or `-0`) is unsatisfiable; no header, another unit,
 * several ranges or a malformed one are ignored (null), as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  const m = /^bytes=\s*(\d*)-(\d*)\s*$/i.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (!Number.isSafeInteger(start) || end < start || Number.isNaN(end)) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}
