// Layout helpers: a permutation maps stored (TFLite) dims to IR (ONNX) axes: stored dim i holds IR axis perm[i].
import { transposeData as transposeIrData } from '../../ir/transpose.ts';

/** A layout: stored dim i holds IR axis perm[i]. */
export type Perm = readonly number[];

/** The identity layout of a rank. */
export function identity(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

/** Channels-last for rank ≥ 3 (NCHW → NHWC: [0, 2, …, r-1, 1]); identity below. */
export function channelsLast(rank: number): number[] {
  return rank >= 3 ? [0, ...identity(rank).slice(2), 1] : identity(rank);
}

/** True when the perm is the identity. */
export function isIdentity(perm: Perm): boolean {
  return perm.every((a, i) => a === i);
}

/** True when both perms are equal. */
export function samePerm(a: Perm, b: Perm): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Stored dims of an IR shape under a layout. */
export function permuteDims<T>(dims: readonly T[], perm: Perm): T[] {
  return perm.map((a) => dims[a]);
}

/** The stored position of IR axis `axis` (negative axes count from the end). */
export function storedAxis(perm: Perm, axis: number): number {
  const a = axis < 0 ? axis + perm.length : axis;
  return perm.indexOf(a);
}

/** TRANSPOSE permutation taking data stored under `from` to storage under `to`. */
export function transposeBetween(from: Perm, to: Perm): number[] {
  return to.map((a) => from.indexOf(a));
}

/**
 * True when storing `shape` under `perm` keeps the identity element order (the axes that move
 * all have size 1), so a RESHAPE can reinterpret the data without moving it.
 */
export function sameOrder(shape: readonly number[], perm: Perm): boolean {
  const moved = perm.filter((a) => shape[a] !== 1);
  const natural = identity(perm.length).filter((a) => shape[a] !== 1);
  return samePerm(moved, natural);
}

/** Transposes row-major data of IR shape `dims` so that result dim i is source dim perm[i] (the IR's one transpose). */
export function transposeData<T extends Float32Array | Int32Array>(data: T, dims: readonly number[], perm: Perm): T {
  return transposeIrData(data, dims, perm);
}
