// Data sources that declare what they yield (input names, dtypes, per-example shapes), so mismatches surface up front.
import type { IoInfo } from '../ir/host-tensor.ts';
import type { DataSource } from './source.ts';

/** A DataSource that says which inputs it feeds: shape[0] is the batch dimension (null), the rest are fixed. */
export interface TypedDataSource extends DataSource {
  readonly inputs: readonly IoInfo[];
  /** A warning for the user (e.g. random data), already printed once. */
  readonly warning?: string;
}
