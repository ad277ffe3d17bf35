// Data: the MIL ops ondevice emits, the opset each first appears in and its parameter names, from coremltools' op definitions.

/*
 * Generated once from apple/coremltools at commit e0e2f42b0b7c601958c0c2b53ce12c8a39023d00 by importing
 * coremltools/converters/mil/mil/ops/defs (iOS15..iOS18) and reading each op's `input_spec` from SSAOpRegistry.core_ops
 * (a parameter is optional when its InputType has optional=True). iOS13/14 definitions count as CoreML5, the first opset
 * ML Programs have. A constexpr op before CoreML8 takes its parameters as attributes (coremltools' translate_constexpr).
 */

/** The parameters of one version of an op, valid from opset `CoreML<since>` until the next version. */
export interface MilOpVersion {
  /** 5 = CoreML5 (iOS 15) … 8 = CoreML8 (iOS 18). */
  since: number;
  required: readonly string[];
  optional: readonly string[];
}

/** Op type → its versions, oldest first. */
export const MIL_OPS: Readonly<Record<string, readonly MilOpVersion[]>> = {
  const: [{ since: 5, required: ['val'], optional: [] }],
  cast: [{ since: 5, required: ['x', 'dtype'], optional: [] }],
  conv: [{ since: 5, required: ['x', 'weight'], optional: ['bias', 'strides', 'pad_type', 'pad', 'dilations', 'groups'] }],
  conv_transpose: [{ since: 5, required: ['x', 'weight'], optional: ['bias', 'pad', 'output_shape', 'pad_type', 'strides', 'dilations', 'groups'] }],
  linear: [{ since: 5, required: ['x', 'weight'], optional: ['bias'] }],
  matmul: [{ since: 5, required: ['x', 'y'], optional: ['transpose_x', 'transpose_y'] }],
  max_pool: [{ since: 5, required: ['x', 'kernel_sizes', 'pad_type'], optional: ['strides', 'pad', 'ceil_mode'] }],
  avg_pool: [{ since: 5, required: ['x', 'kernel_sizes', 'pad_type'], optional: ['exclude_padding_from_average', 'strides', 'pad', 'ceil_mode'] }],
  reduce_mean: [{ since: 5, required: ['x'], optional: ['axes', 'keep_dims'] }],
  reduce_sum: [{ since: 5, required: ['x'], optional: ['axes', 'keep_dims'] }],
  reduce_max: [{ since: 5, required: ['x'], optional: ['axes', 'keep_dims'] }],
  reduce_min: [{ since: 5, required: ['x'], optional: ['axes', 'keep_dims'] }],
  reduce_l2_norm: [{ since: 5, required: ['x'], optional: ['axes', 'keep_dims'] }],
  reduce_argmax: [{ since: 5, required: ['x'], optional: ['axis', 'keep_dims'] }, { since: 7, required: ['x'], optional: ['axis', 'keep_dims', 'output_dtype'] }],
  batch_norm: [{ since: 5, required: ['x', 'mean', 'variance'], optional: ['gamma', 'beta', 'epsilon'] }],
  instance_norm: [{ since: 5, required: ['x'], optional: ['gamma', 'beta', 'epsilon'] }],
  layer_norm: [{ since: 5, required: ['x'], optional: ['axes', 'gamma', 'beta', 'epsilon'] }],
  l2_norm: [{ since: 5, required: ['x'], optional: ['epsilon'] }],
  relu: [{ since: 5, required: ['x'], optional: [] }],
  relu6: [{ since: 5, required: ['x'], optional: [] }],
  sigmoid: [{ since: 5, required: ['x'], optional: [] }],
  tanh: [{ since: 5, required: ['x'], optional: [] }],
  sigmoid_hard: [{ since: 5, required: ['x', 'alpha', 'beta'], optional: [] }],
  silu: [{ since: 5, required: ['x'], optional: [] }],
  gelu: [{ since: 5, required: ['x'], optional: ['mode'] }],
  leaky_relu: [{ since: 5, required: ['x', 'alpha'], optional: [] }],
  clip: [{ since: 5, required: ['x', 'alpha', 'beta'], optional: [] }],
  prelu: [{ since: 5, required: ['x', 'alpha'], optional: [] }],
  elu: [{ since: 5, required: ['x', 'alpha'], optional: [] }],
  softplus: [{ since: 5, required: ['x'], optional: [] }],
  softmax: [{ since: 5, required: ['x'], optional: ['axis'] }],
  erf: [{ since: 5, required: ['x'], optional: [] }],
  exp: [{ since: 5, required: ['x'], optional: [] }],
  log: [{ since: 5, required: ['x'], optional: ['epsilon'] }],
  sqrt: [{ since: 5, required: ['x'], optional: [] }],
  rsqrt: [{ since: 5, required: ['x'], optional: ['epsilon'] }],
  abs: [{ since: 5, required: ['x'], optional: [] }],
  floor: [{ since: 5, required: ['x'], optional: [] }],
  ceil: [{ since: 5, required: ['x'], optional: [] }],
  round: [{ since: 5, required: ['x'], optional: [] }],
  sign: [{ since: 5, required: ['x'], optional: [] }],
  sin: [{ since: 5, required: ['x'], optional: [] }],
  cos: [{ since: 5, required: ['x'], optional: [] }],
  square: [{ since: 5, required: ['x'], optional: [] }],
  inverse: [{ since: 5, required: ['x'], optional: ['epsilon'] }],
  add: [{ since: 5, required: ['x', 'y'], optional: [] }],
  sub: [{ since: 5, required: ['x', 'y'], optional: [] }],
  mul: [{ since: 5, required: ['x', 'y'], optional: [] }],
  real_div: [{ since: 5, required: ['x', 'y'], optional: [] }],
  pow: [{ since: 5, required: ['x', 'y'], optional: [] }],
  maximum: [{ since: 5, required: ['x', 'y'], optional: [] }],
  minimum: [{ since: 5, required: ['x', 'y'], optional: [] }],
  floor_div: [{ since: 5, required: ['x', 'y'], optional: [] }],
  mod: [{ since: 5, required: ['x', 'y'], optional: [] }],
  equal: [{ since: 5, required: ['x', 'y'], optional: [] }],
  not_equal: [{ since: 5, required: ['x', 'y'], optional: [] }],
  less: [{ since: 5, required: ['x', 'y'], optional: [] }],
  less_equal: [{ since: 5, required: ['x', 'y'], optional: [] }],
  greater: [{ since: 5, required: ['x', 'y'], optional: [] }],
  greater_equal: [{ since: 5, required: ['x', 'y'], optional: [] }],
  logical_and: [{ since: 5, required: ['x', 'y'], optional: [] }],
  logical_or: [{ since: 5, required: ['x', 'y'], optional: [] }],
  logical_not: [{ since: 5, required: ['x'], optional: [] }],
  select: [{ since: 5, required: ['cond', 'a', 'b'], optional: [] }],
  reshape: [{ since: 5, required: ['x', 'shape'], optional: [] }],
  transpose: [{ since: 5, required: ['x', 'perm'], optional: [] }],
  squeeze: [{ since: 5, required: ['x'], optional: ['axes'] }],
  expand_dims: [{ since: 5, required: ['x', 'axes'], optional: [] }],
  concat: [{ since: 5, required: ['values', 'axis'], optional: ['interleave'] }],
  split: [{ since: 5, required: ['x', 'axis'], optional: ['num_splits', 'split_sizes'] }],
  slice_by_index: [{ since: 5, required: ['x', 'begin', 'end'], optional: ['stride', 'begin_mask', 'end_mask', 'squeeze_mask'] }],
  pad: [{ since: 5, required: ['x', 'pad'], optional: ['mode', 'constant_val'] }],
  gather: [{ since: 5, required: ['x', 'indices'], optional: ['axis'] }, { since: 6, required: ['x', 'indices'], optional: ['axis', 'batch_dims'] }, { since: 7, required: ['x', 'indices'], optional: ['axis', 'batch_dims', 'validate_indices'] }],
  gather_along_axis: [{ since: 5, required: ['x', 'indices'], optional: ['axis'] }, { since: 7, required: ['x', 'indices'], optional: ['axis', 'validate_indices'] }],
  tile: [{ since: 5, required: ['x', 'reps'], optional: [] }],
  upsample_nearest_neighbor: [{ since: 5, required: ['x'], optional: ['scale_factor_height', 'scale_factor_width'] }],
  upsample_bilinear: [{ since: 5, required: ['x'], optional: ['scale_factor_height', 'scale_factor_width', 'align_corners'] }, { since: 6, required: ['x'], optional: ['scale_factor_height', 'scale_factor_width', 'align_corners', 'half_pixel_centers'] }],
  resize_bilinear: [{ since: 5, required: ['x'], optional: ['target_size_height', 'target_size_width', 'sampling_mode'] }],
  resize_nearest_neighbor: [{ since: 5, required: ['x', 'target_size_height', 'target_size_width'], optional: [] }],
  identity: [{ since: 5, required: ['x'], optional: [] }],
  constexpr_affine_dequantize: [{ since: 6, required: ['quantized_data', 'zero_point', 'scale', 'axis'], optional: [] }],
  constexpr_blockwise_shift_scale: [{ since: 8, required: ['data', 'scale'], optional: ['offset'] }],
  classify: [{ since: 5, required: ['probabilities', 'classes'], optional: [] }],
};

/** The opset number of an opset name ('CoreML7' → 7), or undefined for a name that is not `CoreML<n>`. */
export function opsetNumber(opset: string): number | undefined {
  const m = /^CoreML(\d+)$/.exec(opset);
  return m ? Number(m[1]) : undefined;
}

/** The version of `op` in opset `CoreML<opset>`, or undefined when the op is unknown or newer than that opset. */
export function milOpVersion(op: string, opset: number): MilOpVersion | undefined {
  const versions = MIL_OPS[op];
  if (!versions) return undefined;
  let found: MilOpVersion | undefined;
  for (const v of versions) if (v.since <= opset) found = v;
  return found;
}
