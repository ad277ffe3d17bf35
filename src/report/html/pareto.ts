// The Pareto front of variants by size (smaller is better) and accuracy (higher is better).

/** A point to rank: size to minimise, accuracy to maximise. */
export interface ParetoPoint {
  size: number;
  accuracy: number;
}

/**
 * Indices of the non-dominated points, by ascending size. A point is dominated when another is no
 * larger and no less accurate, and strictly better in one of the two.
 */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  const front: number[] = [];
  points.forEach((p, i) => {
    const dominated = points.some((q, j) => j !== i
      && q.size <= p.size && q.accuracy >= p.accuracy && (q.size < p.size || q.accuracy > p.accuracy));
    if (!dominated) front.push(i);
  });
  return front.sort((a, b) => points[a].size - points[b].size || points[b].accuracy - points[a].accuracy);
}
