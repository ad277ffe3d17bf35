// The Keras layer lifters (layers models): one per layer class.
import type { TfjsLifter } from '../context.ts';

/** One lifter per Keras class name (e.g. `Conv2D`). */
export const KERAS_LIFTERS: ReadonlyMap<string, TfjsLifter> = new Map<string, TfjsLifter>([]);
