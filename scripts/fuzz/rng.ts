// Fuzzer randomness: a seeded PRNG per mutant (derived from the run seed and the mutant's index), so every mutant is reproducible.
import { mulberry32 } from '../../src/util/random.ts';

/** Small helpers over mulberry32. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** For mutant `index` of a run started with `seed`. */
  static forMutant(seed: number, index: number): Rng {
    let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x27d4eb2f);
    return new Rng((h ^ (h >>> 15)) >>> 0);
  }
  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
}

/** Dims and integers that break code sized from them: zero, negative, int32 limits, past 4 GiB, past 2^53. */
export const INTERESTING_DIMS = [0, -1, -2, 1, 2 ** 25, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 53 + 2] as const;
