// The contract every model format implements, so a registry can pick one by extension and magic bytes.
import type { Model } from '../ir/graph.ts';

/** Options for reading a model. */
export interface ReadOptions {
  /** Load external-data tensors eagerly instead of lazily (default false: lazy). */
  eagerExternalData?: boolean;
}

/** Options for writing a model. */
export interface WriteOptions {
  /**
   * Put tensors of at least this many bytes into one external-data file next to the model
   * (named `<model file>.data` unless `externalDataName` is given). Undefined: inline everything,
   * except that models which would exceed the format's size limit (2 GiB for ONNX) go external.
   */
  externalDataThreshold?: number;
  externalDataName?: string;
}

/** A model file format (ONNX, TFLite, ...): how to recognise it, read it and write it. */
export interface ModelFormat {
  /** Short name used in messages and `--format`, e.g. 'onnx'. */
  readonly name: string;
  /** File extensions, lower-case with the dot, e.g. ['.onnx']. */
  readonly extensions: readonly string[];
  /** True if the first bytes of a file (up to 64) look like this format. */
  matchMagic(header: Uint8Array): boolean;
  read(path: string, options?: ReadOptions): Promise<Model>;
  write?(model: Model, path: string, options?: WriteOptions): Promise<void>;
}
