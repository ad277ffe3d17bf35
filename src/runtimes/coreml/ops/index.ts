// The kernel table: MIL op type → kernel, one file per op family.
import type { Kernel } from '../context.ts';
import { ACTIVATION_KERNELS } from './activation.ts';
import { CLASSIFY_KERNELS } from './classify.ts';
import { CONSTEXPR_KERNELS } from './constexpr.ts';
import { CONV_KERNELS } from './conv.ts';
import { ELEMENTWISE_KERNELS } from './elementwise.ts';
import { LINEAR_KERNELS } from './linear.ts';
import { NORMALIZATION_KERNELS } from './normalization.ts';
import { POOL_KERNELS } from './pool.ts';
import { REDUCE_KERNELS } from './reduce.ts';
import { RESIZE_KERNELS } from './resize.ts';
import { SHAPE_KERNELS } from './shape.ts';

/** Every MIL op type the reference executor runs. */
export const KERNELS: Readonly<Record<string, Kernel>> = {
  ...CONSTEXPR_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...ACTIVATION_KERNELS,
  ...CONV_KERNELS,
  ...POOL_KERNELS,
  ...LINEAR_KERNELS,
  ...NORMALIZATION_KERNELS,
  ...REDUCE_KERNELS,
  ...SHAPE_KERNELS,
  ...RESIZE_KERNELS,
  ...CLASSIFY_KERNELS,
};
