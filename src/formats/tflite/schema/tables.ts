// The TFLite flatbuffer tables ondevice reads and writes, as data: field names, vtable slots and kinds, from schema.fbs.
//
// Written by hand from tensorflow/lite/schema/schema.fbs (schema version 3, "TFL3"). Each table lists
// its fields with the vtable slot the schema gives them (declaration order, a union taking two slots:
// `<name>_type` then `<name>`). Deprecated fields keep their slot. Tables not listed here (sparsity,
// signature defs' unused parts, most builtin options) are skipped on read and never written.

/** How a field is stored. Scalars are JS numbers (int64 too; values stay within 2^53). */
export type FieldKind =
  | 'bool' | 'int8' | 'uint8' | 'int32' | 'uint32' | 'float32' | 'int64' | 'uint64' | 'string'
  | 'int32[]' | 'float32[]' | 'int64[]' | 'bool[]'
  /** A [ubyte] vector, read as a Uint8Array view and written 16-byte aligned. */
  | 'bytes'
  | { table: string } | { tables: string }
  /** A union: slot holds the type byte (`<name>_type` in the object), slot+1 the table. */
  | { union: string };

/** One table field. */
export interface FieldDef {
  name: string;
  slot: number;
  kind: FieldKind;
  /** Schema default (omitted fields read back as this; fields equal to it are not written). */
  default?: number | boolean;
}

const f = (name: string, slot: number, kind: FieldKind, def?: number | boolean): FieldDef => (def === undefined ? { name, slot, kind } : { name, slot, kind, default: def });
const act = (slot: number) => f('fused_activation_function', slot, 'int8', 0);

/** Every table ondevice understands, by schema name. */
export const TABLES: Readonly<Record<string, readonly FieldDef[]>> = {
  Model: [
    f('version', 0, 'uint32', 0), f('operator_codes', 1, { tables: 'OperatorCode' }), f('subgraphs', 2, { tables: 'SubGraph' }),
    f('description', 3, 'string'), f('buffers', 4, { tables: 'Buffer' }), f('metadata_buffer', 5, 'int32[]'),
    f('metadata', 6, { tables: 'Metadata' }), f('signature_defs', 7, { tables: 'SignatureDef' }),
  ],
  OperatorCode: [f('deprecated_builtin_code', 0, 'int8', 0), f('custom_code', 1, 'string'), f('version', 2, 'int32', 1), f('builtin_code', 3, 'int32', 0)],
  SubGraph: [f('tensors', 0, { tables: 'Tensor' }), f('inputs', 1, 'int32[]'), f('outputs', 2, 'int32[]'), f('operators', 3, { tables: 'Operator' }), f('name', 4, 'string')],
  Buffer: [f('data', 0, 'bytes'), f('offset', 1, 'uint64', 0), f('size', 2, 'uint64', 0)],
  Metadata: [f('name', 0, 'string'), f('buffer', 1, 'uint32', 0)],
  TensorMap: [f('name', 0, 'string'), f('tensor_index', 1, 'uint32', 0)],
  SignatureDef: [f('inputs', 0, { tables: 'TensorMap' }), f('outputs', 1, { tables: 'TensorMap' }), f('signature_key', 2, 'string'), f('subgraph_index', 4, 'uint32', 0)],
  Tensor: [
    f('shape', 0, 'int32[]'), f('type', 1, 'int8', 0), f('buffer', 2, 'uint32', 0), f('name', 3, 'string'),
    f('quantization', 4, { table: 'QuantizationParameters' }), f('is_variable', 5, 'bool', false),
    f('shape_signature', 7, 'int32[]'), f('has_rank', 8, 'bool', false),
  ],
  QuantizationParameters: [
    f('min', 0, 'float32[]'), f('max', 1, 'float32[]'), f('scale', 2, 'float32[]'), f('zero_point', 3, 'int64[]'),
    f('quantized_dimension', 6, 'int32', 0),
  ],
  Operator: [
    f('opcode_index', 0, 'uint32', 0), f('inputs', 1, 'int32[]'), f('outputs', 2, 'int32[]'),
    f('builtin_options', 3, { union: 'BuiltinOptions' }), f('custom_options', 5, 'bytes'),
    f('custom_options_format', 6, 'int8', 0), f('intermediates', 8, 'int32[]'),
  ],
  // Builtin options (the ones the compiler emits or inspect shows).
  Conv2DOptions: [f('padding', 0, 'int8', 0), f('stride_w', 1, 'int32', 0), f('stride_h', 2, 'int32', 0), act(3), f('dilation_w_factor', 4, 'int32', 1), f('dilation_h_factor', 5, 'int32', 1)],
  DepthwiseConv2DOptions: [
    f('padding', 0, 'int8', 0), f('stride_w', 1, 'int32', 0), f('stride_h', 2, 'int32', 0), f('depth_multiplier', 3, 'int32', 0), act(4),
    f('dilation_w_factor', 5, 'int32', 1), f('dilation_h_factor', 6, 'int32', 1),
  ],
  Pool2DOptions: [f('padding', 0, 'int8', 0), f('stride_w', 1, 'int32', 0), f('stride_h', 2, 'int32', 0), f('filter_width', 3, 'int32', 0), f('filter_height', 4, 'int32', 0), act(5)],
  FullyConnectedOptions: [act(0), f('weights_format', 1, 'int8', 0), f('keep_num_dims', 2, 'bool', false), f('asymmetric_quantize_inputs', 3, 'bool', false)],
  SoftmaxOptions: [f('beta', 0, 'float32', 0)],
  ConcatenationOptions: [f('axis', 0, 'int32', 0), act(1)],
  AddOptions: [act(0), f('pot_scale_int16', 1, 'bool', true)],
  SubOptions: [act(0), f('pot_scale_int16', 1, 'bool', true)],
  MulOptions: [act(0)],
  DivOptions: [act(0)],
  ReshapeOptions: [f('new_shape', 0, 'int32[]')],
  ResizeBilinearOptions: [f('align_corners', 2, 'bool', false), f('half_pixel_centers', 3, 'bool', false)],
  ResizeNearestNeighborOptions: [f('align_corners', 0, 'bool', false), f('half_pixel_centers', 1, 'bool', false)],
  GatherOptions: [f('axis', 0, 'int32', 0), f('batch_dims', 1, 'int32', 0)],
  ReducerOptions: [f('keep_dims', 0, 'bool', false)],
  SqueezeOptions: [f('squeeze_dims', 0, 'int32[]')],
  StridedSliceOptions: [
    f('begin_mask', 0, 'int32', 0), f('end_mask', 1, 'int32', 0), f('ellipsis_mask', 2, 'int32', 0),
    f('new_axis_mask', 3, 'int32', 0), f('shrink_axis_mask', 4, 'int32', 0), f('offset', 5, 'bool', false),
  ],
  SplitOptions: [f('num_splits', 0, 'int32', 0)],
  LeakyReluOptions: [f('alpha', 0, 'float32', 0)],
  SplitVOptions: [f('num_splits', 0, 'int32', 0)],
  MirrorPadOptions: [f('mode', 0, 'int8', 0)],
  PadOptions: [], TransposeOptions: [], SliceOptions: [], DequantizeOptions: [], QuantizeOptions: [],
  HardSwishOptions: [], MaximumMinimumOptions: [], ExpOptions: [],
  TransposeConvOptions: [f('padding', 0, 'int8', 0), f('stride_w', 1, 'int32', 0), f('stride_h', 2, 'int32', 0), act(3)],
  BatchMatMulOptions: [f('adj_x', 0, 'bool', false), f('adj_y', 1, 'bool', false), f('asymmetric_quantize_inputs', 2, 'bool', false)],
  GeluOptions: [f('approximate', 0, 'bool', false)],
  GatherNdOptions: [], LogSoftmaxOptions: [], SquaredDifferenceOptions: [], PadV2Options: [],
};

/** Union members in schema order: the type byte of a member is its index + 1 (0 = NONE). */
export const UNIONS: Readonly<Record<string, readonly string[]>> = {
  BuiltinOptions: [
    'Conv2DOptions', 'DepthwiseConv2DOptions', 'ConcatEmbeddingsOptions', 'LSHProjectionOptions', 'Pool2DOptions',
    'SVDFOptions', 'RNNOptions', 'FullyConnectedOptions', 'SoftmaxOptions', 'ConcatenationOptions', 'AddOptions',
    'L2NormOptions', 'LocalResponseNormalizationOptions', 'LSTMOptions', 'ResizeBilinearOptions', 'CallOptions',
    'ReshapeOptions', 'SkipGramOptions', 'SpaceToDepthOptions', 'EmbeddingLookupSparseOptions', 'MulOptions',
    'PadOptions', 'GatherOptions', 'BatchToSpaceNDOptions', 'SpaceToBatchNDOptions', 'TransposeOptions',
    'ReducerOptions', 'SubOptions', 'DivOptions', 'SqueezeOptions', 'SequenceRNNOptions', 'StridedSliceOptions',
    'ExpOptions', 'TopKV2Options', 'SplitOptions', 'LogSoftmaxOptions', 'CastOptions', 'DequantizeOptions',
    'MaximumMinimumOptions', 'ArgMaxOptions', 'LessOptions', 'NegOptions', 'PadV2Options', 'GreaterOptions',
    'GreaterEqualOptions', 'LessEqualOptions', 'SelectOptions', 'SliceOptions', 'TransposeConvOptions',
    'SparseToDenseOptions', 'TileOptions', 'ExpandDimsOptions', 'EqualOptions', 'NotEqualOptions', 'ShapeOptions',
    'PowOptions', 'ArgMinOptions', 'FakeQuantOptions', 'PackOptions', 'LogicalOrOptions', 'OneHotOptions',
    'LogicalAndOptions', 'LogicalNotOptions', 'UnpackOptions', 'FloorDivOptions', 'SquareOptions', 'ZerosLikeOptions',
    'FillOptions', 'BidirectionalSequenceLSTMOptions', 'BidirectionalSequenceRNNOptions',
    'UnidirectionalSequenceLSTMOptions', 'FloorModOptions', 'RangeOptions', 'ResizeNearestNeighborOptions',
    'LeakyReluOptions', 'SquaredDifferenceOptions', 'MirrorPadOptions', 'AbsOptions', 'SplitVOptions', 'UniqueOptions',
    'ReverseV2Options', 'AddNOptions', 'GatherNdOptions', 'CosOptions', 'WhereOptions', 'RankOptions',
    'ReverseSequenceOptions', 'MatrixDiagOptions', 'QuantizeOptions', 'MatrixSetDiagOptions', 'HardSwishOptions',
    'IfOptions', 'WhileOptions', 'DepthToSpaceOptions', 'NonMaxSuppressionV4Options', 'NonMaxSuppressionV5Options',
    'ScatterNdOptions', 'SelectV2Options', 'DensifyOptions', 'SegmentSumOptions', 'BatchMatMulOptions', 'CumsumOptions',
    'CallOnceOptions', 'BroadcastToOptions', 'Rfft2dOptions', 'Conv3DOptions', 'HashtableOptions', 'HashtableFindOptions',
    'HashtableImportOptions', 'HashtableSizeOptions', 'VarHandleOptions', 'ReadVariableOptions', 'AssignVariableOptions',
    'RandomOptions', 'BucketizeOptions', 'GeluOptions',
  ],
};

/** The union type byte of an options table (e.g. 'Conv2DOptions' → 1). */
export function unionTypeOf(union: string, table: string): number {
  const i = UNIONS[union].indexOf(table);
  if (i < 0) throw new Error(`${table} is not a member of ${union}`);
  return i + 1;
}
