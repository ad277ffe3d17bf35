// Text recognition metrics: Levenshtein distance over code points, character error rate and exact-match accuracy.

/** The edit distance (insertions, deletions, substitutions) between two strings, by Unicode code point. */
export function levenshtein(a: string, b: string): number {
  const x = Array.from(a), y = Array.from(b);
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[y.length];
}

/** Character error rate of one line: edits / reference length (a hypothesis against an empty reference counts its length). */
export function characterErrorRate(reference: string, hypothesis: string): number {
  const n = Array.from(reference).length;
  const d = levenshtein(reference, hypothesis);
  return n ? d / n : d;
}

/** Accuracy over many lines. */
export interface TextAccuracy {
  lines: number;
  /** Lines recognised exactly, and their fraction. */
  exact: number;
  exactMatch: number;
  /** Total edits / total reference characters (corpus CER). */
  cer: number;
  edits: number;
  characters: number;
}

/** Exact-match accuracy and corpus character error rate of hypotheses against references (same length, paired by index). */
export function textAccuracy(references: readonly string[], hypotheses: readonly string[]): TextAccuracy {
  if (references.length !== hypotheses.length) throw new RangeError(`textAccuracy: ${references.length} references but ${hypotheses.length} hypotheses`);
  let exact = 0, edits = 0, characters = 0;
  references.forEach((r, i) => {
    const d = levenshtein(r, hypotheses[i]);
    if (d === 0) exact++;
    edits += d;
    characters += Array.from(r).length;
  });
  const lines = references.length;
  return { lines, exact, exactMatch: lines ? exact / lines : 0, cer: characters ? edits / characters : 0, edits, characters };
}
