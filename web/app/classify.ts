// Scores → the top-k labels with softmax probabilities (DOM-free).

/** One ranked label. */
export interface Ranked {
  index: number;
  label: string;
  score: number;
}

/** Softmax over raw logits (numerically stable). If the values already look like probabilities they are kept. */
export function probabilities(scores: Float32Array | number[]): Float32Array {
  const out = new Float32Array(scores.length);
  let sum = 0;
  let isProb = true;
  for (const s of scores) {
    if (s < 0 || s > 1) isProb = false;
    sum += s;
  }
  if (isProb && Math.abs(sum - 1) < 1e-3) {
    out.set(scores);
    return out;
  }
  const max = Math.max(...scores);
  sum = 0;
  for (let i = 0; i < scores.length; i++) sum += out[i] = Math.exp(scores[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** The `k` best classes, best first, named by `labels` (or their index). */
export function topK(scores: Float32Array | number[], k: number, labels: readonly string[] = []): Ranked[] {
  const p = probabilities(scores);
  return [...p.keys()]
    .sort((a, b) => p[b] - p[a])
    .slice(0, k)
    .map((index) => ({ index, label: labels[index] ?? String(index), score: p[index] }));
}
