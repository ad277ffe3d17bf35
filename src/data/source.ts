// The DataSource contract: calibration and evaluation read model inputs batch by batch from any dataset.
import type { HostTensor } from '../ir/host-tensor.ts';

/** One batch: a tensor per model input name, and labels when the dataset has them. */
export interface DataBatch {
  inputs: Record<string, HostTensor>;
  labels?: ArrayLike<number>;
}

/** A dataset streamed in batches, so memory is bounded by one batch, never by the dataset size. */
export interface DataSource {
  /** Human-readable description, e.g. 'mnist test (10000 images)' or 'images in ./calib (120 files)'. */
  readonly description: string;
  /** Number of examples, when known up front (for progress bars). */
  readonly count?: number;
  /** Class names (index = label) when the batches carry labels and the data names its classes (e.g. class sub-folders). */
  readonly classNames?: readonly string[];
  /** A stable hash of what the data is (files + recipe), recorded in quantized models' metadata. */
  fingerprint(): Promise<string>;
  /** Yields batches of at most `batchSize` examples, at most `limit` examples in all. */
  batches(batchSize: number, limit?: number): AsyncIterable<DataBatch>;
}
