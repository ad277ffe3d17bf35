// Greedy CTC decoding of a text recogniser's per-frame class scores (PaddleOCR CTCLabelDecode) and its dictionary file.

/** One decoded character: the text, its score (the probability at the first frame of its run, as PaddleOCR takes it) and that frame. */
export interface CtcChar {
  char: string;
  score: number;
  frame: number;
}

/** A decoded line: text, mean character score (0 for an empty line) and the characters. */
export interface CtcResult {
  text: string;
  confidence: number;
  chars: CtcChar[];
}

/** The lines of a dictionary file (one character per line, CR LF or LF; a final newline adds no entry). */
export function parseDictionary(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The class labels: class 0 the CTC blank (''), then the dictionary, then ' ' when `space` (PaddleOCR's use_space_char, default true). */
export function ctcClasses(dictionary: readonly string[], space = true): string[] {
  return ['', ...dictionary, ...(space ? [' '] : [])];
}

/**
 * Greedy CTC: the best class per frame, runs of one class merged, blanks (class 0) dropped. `scores` is [T, C] row-major
 * (the [1,T,C] output of one line), probabilities (a softmax output) for the confidences to mean anything.
 */
export function ctcGreedyDecode(scores: Float32Array, frames: number, classes: readonly string[]): CtcResult {
  const c = classes.length;
  if (scores.length !== frames * c) throw new RangeError(`ctcGreedyDecode: ${frames} frames × ${c} classes needs ${frames * c} scores, got ${scores.length}`);
  const chars: CtcChar[] = [];
  let previous = -1;
  for (let t = 0; t < frames; t++) {
    let best = 0, bestScore = scores[t * c];
    for (let k = 1; k < c; k++) if (scores[t * c + k] > bestScore) { best = k; bestScore = scores[t * c + k]; }
    if (best !== 0 && best !== previous) chars.push({ char: classes[best], score: bestScore, frame: t });
    previous = best;
  }
  const confidence = chars.length ? chars.reduce((s, ch) => s + ch.score, 0) / chars.length : 0;
  return { text: chars.map((ch) => ch.char).join(''), confidence, chars };
}
