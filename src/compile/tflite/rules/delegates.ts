// LiteRT's XNNPACK and GPU delegate rules as data: which builtin/custom ops each takes, tensor types, ranks, options.
//
// Sources read (2026-12-03), google-ai-edge/LiteRT main at commit f67457790c9c2ab67347d6fe53270e8d3df20868
// (2026-08-21; the TFLite runtime moved there from tensorflow/tensorflow's tensorflow/lite):
//   - tflite/delegates/xnnpack/xnnpack_delegate.cc: Subgraph::VisitNode's switch (the ops), the per-op Visit*Node
//     checks (CheckTensorFloatType / CheckTensorFloatOrQUInt8Type / CheckTensorFloat32OrQUInt8Type dtypes, CheckTensorShape
//     ranks, CheckTensorStaticAllocation constant inputs, ConvertActivationToOutputRange fused activations,
//     CheckPoolingParams), Delegate::PrepareOpsToDelegate (static DEQUANTIZE unpacking of fp16/int8 weights);
//   - tflite/tools/versioning/gpu_compatibility.cc: CheckGpuDelegateCompatibility (per-op checks);
//   - tflite/delegates/gpu/common/model_builder.cc: NewOperationParser (the ops), CheckMaxSupportedOpVersion,
//     GetOpsToReplace + IsAllAllowedTensors (tensor types and rank < 5 for every input/output);
//   - tflite/delegates/utils.cc: FP16GraphPartitionHelper (constant fp16 DEQUANTIZE folded only when all nodes delegate);
//   - tflite/delegates/gpu/delegate_options.cc: defaults ENABLE_QUANT (int8/uint8 taken) and max_delegated_partitions = 1;
//   - tflite/core/subgraph.cc: ModifyGraphWithDelegate refuses a static-shape delegate (GPU) on dynamic-sized tensors.
// Not verified here: on-device behaviour (GPU driver/compile failures, OpenCL vs OpenGL vs WebGPU backend limits,
// XNNPACK build flags that disable QS8/QU8) — this is what the delegates' own support checks say. Approximations: a
// tensor is taken as dynamic-sized when a shape input (RESHAPE shape, PAD paddings, ...) is not a constant; op-count and
// broadcast checks the converter always satisfies are left out; int8 LEAKY_RELU/QUANTIZE scale ranges are not checked.

/** Where these rules come from and the version they describe. */
export const DELEGATE_RULES_SOURCE = {
  litert: 'google-ai-edge/LiteRT main @ f67457790c9c2ab67347d6fe53270e8d3df20868 (2026-08-21)',
  files: [
    'https://github.com/google-ai-edge/LiteRT/blob/main/tflite/delegates/xnnpack/xnnpack_delegate.cc',
    'https://github.com/google-ai-edge/LiteRT/blob/main/tflite/tools/versioning/gpu_compatibility.cc',
    'https://github.com/google-ai-edge/LiteRT/blob/main/tflite/delegates/gpu/common/model_builder.cc',
    'https://github.com/google-ai-edge/LiteRT/blob/main/tflite/delegates/utils.cc',
  ],
} as const;

/** An option (builtin_options field) limit: the op falls back unless the value is allowed (or not forbidden). */
export interface OptionLimit {
  name: string;
  allowed?: readonly number[];
  forbidden?: readonly number[];
  why: string;
}

/** One delegate's rule for one op. Tensors checked are the op's non-constant inputs and its outputs. */
export interface DelegateOpRule {
  /** Types the non-constant inputs and outputs may have. */
  dtypes: readonly string[];
  /** Allowed rank of the data (first non-constant) input: [min, max]. */
  rank?: readonly [number, number];
  /** Inputs that must be constant (weights, shape, axes, paddings...), quasi-static DEQUANTIZE outputs included. */
  constInputs?: readonly number[];
  /** Inputs that must not be constant. */
  runtimeInputs?: readonly number[];
  /** Optional inputs the delegate needs present (XNNPACK CONV_2D bias). */
  requiredInputs?: readonly number[];
  /** Fused activations (fused_activation_function) taken; others fall back. */
  activations?: readonly string[];
  /** Option limits. */
  options?: readonly OptionLimit[];
  /** Highest operator version (GPU CheckMaxSupportedOpVersion). */
  maxVersion?: number;
  /** Operator versions refused (XNNPACK: FULLY_CONNECTED version 8 is the sparse-weights variant). */
  refusedVersions?: readonly number[];
  /** Number of inputs / outputs taken: [min, max] (XNNPACK CheckNumInputs / CheckNumOutputs). */
  inputCount?: readonly [number, number];
  outputCount?: readonly [number, number];
  /** Quantized (int8) weights: input index and the per-channel quantized_dimension the delegate expects. */
  weights?: { input: number; axis: number };
  /** Quantized (int8/uint8) scale ratio limit: input/output (or input×input2/output) must lie in [min, max). */
  scaleRange?: { product: boolean; min: number; max: number };
  /** Pooling: stride ≤ filter and no 1×1 filter with stride > 1 (XNNPACK CheckPoolingParams). */
  poolStrideLeFilter?: boolean;
  /** Where the rule comes from (function in the source file). */
  source: string;
}

/** Ranks XNNPACK tensors take (XNN_MAX_TENSOR_DIMS = 6). */
export const XNNPACK_MAX_RANK = 6;
/** The GPU delegate refuses any input/output tensor of rank ≥ 5 (model_builder.cc IsAllAllowedTensors). */
export const GPU_MAX_RANK = 4;

// XNNPACK dtype sets, by the check function that applies them.
const X_F = ['float32', 'float16'] as const; // CheckTensorFloatType
const X_FQ = ['float32', 'float16', 'int8', 'uint8'] as const; // CheckTensorFloatOrQUInt8Type (per-tensor quantization)
const X_F32Q = ['float32', 'int8', 'uint8'] as const; // CheckTensorFloat32OrQUInt8Type
const X_ACT = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'] as const; // ConvertActivationToOutputRange: TANH, SIGN_BIT fail

const XU = (source: string, dtypes: readonly string[] = X_F): DelegateOpRule => ({ dtypes, rank: [0, XNNPACK_MAX_RANK], source });
const XCONV = (source: string, axis: number): DelegateOpRule => ({
  dtypes: X_FQ, rank: [4, 4], constInputs: [1, 2], requiredInputs: [2], activations: X_ACT, weights: { input: 1, axis }, source,
});

/** XNNPACK: Subgraph::VisitNode's ops and their checks (xnnpack_delegate.cc). */
export const XNNPACK_OPS: Readonly<Record<string, DelegateOpRule>> = {
  ABS: XU('VisitUnaryNode: CheckTensorFloatType'), CEIL: XU('VisitUnaryNode: CheckTensorFloatType'),
  COS: XU('VisitUnaryNode'), EXP: XU('VisitUnaryNode: CheckTensorFloatType'), FLOOR: XU('VisitUnaryNode: CheckTensorFloatType'),
  GELU: XU('VisitUnaryNode: CheckTensorFloatType'), HARD_SWISH: XU('VisitUnaryNode: CheckTensorFloatType'),
  LOG: XU('VisitUnaryNode: CheckTensorFloatType'), NEG: XU('VisitUnaryNode'), ROUND: XU('VisitUnaryNode'),
  RELU: XU('VisitUnaryNode: RELU is float-only (CheckTensorFloatType)'), RELU6: XU('VisitUnaryNode: CheckTensorFloatType'),
  RELU_N1_TO_1: XU('VisitUnaryNode: CheckTensorFloatType'), RSQRT: XU('VisitUnaryNode: CheckTensorFloatType'),
  SIN: XU('VisitUnaryNode'), SQRT: XU('VisitUnaryNode: CheckTensorFloatType'), SQUARE: XU('VisitUnaryNode: CheckTensorFloatType'),
  ELU: XU('VisitUnaryNode: CheckTensorFloatOrQInt8Type', ['float32', 'float16', 'int8']),
  LOGISTIC: XU('VisitUnaryNode: CheckTensorFloatOrQUInt8Type', X_FQ), TANH: XU('VisitUnaryNode: CheckTensorFloatOrQUInt8Type', X_FQ),
  LEAKY_RELU: XU('VisitUnaryNode: CheckTensorFloatOrQUInt8Type', X_FQ), QUANTIZE: XU('VisitUnaryNode: CheckTensorFloatOrQUInt8Type', X_FQ),
  DEQUANTIZE: XU('VisitUnaryNode: CheckTensorQInt8OrQUInt8Type in, float out', X_FQ),
  ADD: { dtypes: X_FQ, rank: [0, XNNPACK_MAX_RANK], activations: X_ACT, scaleRange: { product: false, min: 1 / 1024, max: 256 }, source: 'VisitBinaryNode: CheckTensorFloatOrQUInt8Type, CheckTensorsInputOutputScale' },
  SUB: { dtypes: X_FQ, rank: [0, XNNPACK_MAX_RANK], activations: X_ACT, scaleRange: { product: false, min: 1 / 1024, max: 256 }, source: 'VisitBinaryNode: CheckTensorFloatOrQUInt8Type, CheckTensorsInputOutputScale' },
  MUL: { dtypes: X_FQ, rank: [0, XNNPACK_MAX_RANK], activations: X_ACT, scaleRange: { product: true, min: 1 / 65536, max: 256 }, source: 'VisitBinaryNode: CheckTensorFloatOrQUInt8Type, CheckTensorsInputProductOutputScale' },
  DIV: { dtypes: X_F, rank: [0, XNNPACK_MAX_RANK], activations: X_ACT, source: 'VisitBinaryNode: DIV is float-only' },
  MAXIMUM: { dtypes: X_F, rank: [0, XNNPACK_MAX_RANK], source: 'VisitBinaryNode: float-only' },
  MINIMUM: { dtypes: X_F, rank: [0, XNNPACK_MAX_RANK], source: 'VisitBinaryNode: float-only' },
  SQUARED_DIFFERENCE: { dtypes: X_F, rank: [0, XNNPACK_MAX_RANK], source: 'VisitBinaryNode: float-only' },
  PRELU: { dtypes: X_F, rank: [0, XNNPACK_MAX_RANK], constInputs: [1], source: 'VisitBinaryNode: float-only, static slope' },
  AVERAGE_POOL_2D: { dtypes: X_F, activations: X_ACT, poolStrideLeFilter: true, source: 'VisitAveragePool2DNode: float-only, CheckPoolingParams' },
  MAX_POOL_2D: { dtypes: X_F32Q, activations: X_ACT, poolStrideLeFilter: true, source: 'VisitMaxPool2DNode: CheckTensorFloat32OrQUInt8Type, CheckPoolingParams' },
  BATCH_MATMUL: { dtypes: X_FQ, source: 'VisitBatchMatMulNode' },
  CONCATENATION: { dtypes: X_FQ, inputCount: [2, 5], source: 'VisitConcatenationNode: 2 to 5 inputs' },
  CONV_2D: XCONV('VisitConv2DNode: 4-D, static filter/bias, bias required, per-channel filter on axis 0', 0),
  DEPTHWISE_CONV_2D: XCONV('VisitDepthwiseConv2DNode: 4-D, static filter/bias, bias required, per-channel filter on axis 3', 3),
  DEPTH_TO_SPACE: { dtypes: X_FQ, source: 'VisitDepthToSpaceNode' },
  SPACE_TO_DEPTH: { dtypes: X_F32Q, source: 'VisitSpaceToDepthNode' },
  EXPAND_DIMS: { dtypes: X_FQ, constInputs: [1], source: 'VisitExpandDimsNode: static axis' },
  FULLY_CONNECTED: {
    dtypes: X_FQ, constInputs: [1, 2], activations: X_ACT, weights: { input: 1, axis: 0 }, refusedVersions: [8],
    options: [{ name: 'weights_format', allowed: [0], why: 'CheckFullyConnectedParams: non-default weights format' }],
    source: 'VisitFullyConnectedNode: static weights (fp32 dynamic weights only when enabled), version 8 (sparse) refused',
  },
  MEAN: { dtypes: X_FQ, constInputs: [1], source: 'VisitReduceNode: static int32 axes' },
  SUM: { dtypes: X_FQ, constInputs: [1], source: 'VisitReduceNode: static int32 axes' },
  REDUCE_MAX: { dtypes: X_FQ, constInputs: [1], source: 'VisitReduceNode: static int32 axes' },
  REDUCE_MIN: { dtypes: X_FQ, constInputs: [1], source: 'VisitReduceNode: static int32 axes' },
  PAD: { dtypes: X_FQ, constInputs: [1], source: 'VisitPadNode: static paddings' },
  RESHAPE: { dtypes: X_FQ, constInputs: [1], source: 'VisitReshapeNode: static shape tensor' },
  RESIZE_BILINEAR: { dtypes: X_F32Q, rank: [4, 4], constInputs: [1], source: 'VisitResizeBilinearNode: 4-D, static size' },
  SLICE: { dtypes: X_FQ, constInputs: [1, 2], source: 'VisitSliceNode: static begin/size' },
  SOFTMAX: { dtypes: X_F, options: [{ name: 'beta', allowed: [1], why: 'VisitSoftmaxNode: unsupported beta' }], source: 'VisitSoftmaxNode: float-only, beta 1' },
  SPLIT: { dtypes: X_FQ, constInputs: [0], outputCount: [2, 4], source: 'VisitSplitNode: static split axis, 2 to 4 outputs' },
  STRIDED_SLICE: { dtypes: X_FQ, constInputs: [1, 2, 3], source: 'VisitStridedSliceNode: static begin/end/strides' },
  TRANSPOSE: { dtypes: X_FQ, constInputs: [1], source: 'VisitTransposeNode: static permutation' },
  TRANSPOSE_CONV: { dtypes: X_F32Q, constInputs: [0, 1], activations: X_ACT, weights: { input: 1, axis: 0 }, source: 'VisitTransposeConvNode: static output shape and filter' },
  // MediaPipe custom ops (VisitNode, case kTfLiteBuiltinCustom).
  Convolution2DTransposeBias: { dtypes: ['float32'], rank: [4, 4], constInputs: [1, 2], source: 'VisitMediaPipeDeconvolutionNode: float32, static filter/bias' },
  MaxPoolingWithArgmax2D: { dtypes: ['float32', 'int32'], rank: [4, 4], source: 'VisitMediaPipeMaxPoolingNode: float32' },
  MaxUnpooling2D: { dtypes: ['float32', 'int32'], rank: [4, 4], source: 'VisitMediaPipeUnpoolingNode: float32' },
};

// GPU: tensor types IsAllAllowedTensors takes for non-constant tensors (float, and int8/uint8 with ENABLE_QUANT, the default).
const G_T = ['float32', 'float16', 'int8', 'uint8'] as const;
const G_ACT = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH'] as const; // IsActivationSupported: SIGN_BIT refused
const GU = (maxVersion?: number, source = 'ElementwiseOperationParser: one runtime input'): DelegateOpRule => ({ dtypes: G_T, ...(maxVersion ? { maxVersion } : {}), source });
const GB = (activations: boolean, maxVersion = 2): DelegateOpRule => ({
  dtypes: G_T, maxVersion, ...(activations ? { activations: G_ACT } : {}), source: 'CheckGpuDelegateCompatibility: one or two operands',
});

/** GPU delegate: NewOperationParser's ops with CheckGpuDelegateCompatibility's checks and max op versions. */
export const GPU_OPS: Readonly<Record<string, DelegateOpRule>> = {
  ABS: GU(2), COS: GU(2), ELU: GU(2), EXP: GU(2), FLOOR: GU(2), GELU: GU(2), LOG: GU(2), LOGISTIC: GU(2), NEG: GU(2),
  RSQRT: GU(2), SIGN: GU(2), SIN: GU(2), SQRT: GU(2), SQUARE: GU(2), TANH: GU(2),
  HARD_SWISH: GU(undefined, 'HardSwishOperationParser'),
  RELU: GU(2, 'ReLUOperationParser'), RELU6: GU(2, 'ReLUOperationParser'), RELU_N1_TO_1: GU(2, 'ReLUOperationParser'),
  LEAKY_RELU: GU(2, 'ReLUOperationParser'), PRELU: { dtypes: G_T, maxVersion: 1, source: 'PReLUOperationParser' },
  ADD: GB(false), MUL: GB(true, 3), SUB: GB(true), DIV: GB(true), MAXIMUM: GB(false), MINIMUM: GB(false), POW: GB(false),
  SQUARED_DIFFERENCE: GB(false),
  AVERAGE_POOL_2D: { dtypes: G_T, activations: G_ACT, maxVersion: 2, source: 'CheckPooling2DGpuDelegateCompatibility' },
  MAX_POOL_2D: { dtypes: G_T, activations: G_ACT, maxVersion: 2, source: 'CheckPooling2DGpuDelegateCompatibility' },
  BATCH_MATMUL: { dtypes: G_T, source: 'BatchedMatMulOperationParser: 2 inputs' },
  CAST: { dtypes: ['float32', 'float16', 'int32', 'bool'], source: 'CastOperationParser: float/int32/bool combinations' },
  CONCATENATION: { dtypes: G_T, maxVersion: 2, source: 'ConcatenationOperationParser' },
  CONV_2D: { dtypes: G_T, activations: G_ACT, maxVersion: 6, source: 'CheckConvolutionInputOutput, CheckStridesAndDilation' },
  DEPTHWISE_CONV_2D: { dtypes: G_T, rank: [4, 4], activations: G_ACT, maxVersion: 6, source: 'CheckDepthwiseConvGpuDelegateCompatibility: 4-D' },
  DEPTH_TO_SPACE: { dtypes: G_T, options: [{ name: 'block_size', forbidden: [0, 1], why: 'DEPTH_TO_SPACE block_size must be > 1' }], source: 'CheckGpuDelegateCompatibility' },
  SPACE_TO_DEPTH: { dtypes: G_T, maxVersion: 2, options: [{ name: 'block_size', forbidden: [0, 1], why: 'SPACE_TO_DEPTH block_size must be > 1' }], source: 'CheckGpuDelegateCompatibility' },
  DEQUANTIZE: { dtypes: ['float32', 'float16', 'int8', 'uint8'], maxVersion: 3, source: 'DequantizeOperationParser (ENABLE_QUANT): int16 refused' },
  QUANTIZE: { dtypes: G_T, maxVersion: 2, source: 'QuantizeOperationParser (ENABLE_QUANT)' },
  FULLY_CONNECTED: {
    dtypes: G_T, runtimeInputs: [0], maxVersion: 9,
    options: [{ name: 'weights_format', allowed: [0], why: 'Unsupported FullyConnected weights format' }],
    source: 'CheckGpuDelegateCompatibility: non-constant input, at most 2 runtime inputs',
  },
  GATHER: { dtypes: [...G_T, 'int32'], maxVersion: 1, source: 'CheckGpuDelegateCompatibility: 1-D int32 indices' },
  MEAN: { dtypes: G_T, constInputs: [1], source: 'CheckAxesAreInt32Const' },
  SUM: { dtypes: G_T, constInputs: [1], source: 'CheckAxesAreInt32Const' },
  REDUCE_MAX: { dtypes: G_T, constInputs: [1], source: 'CheckAxesAreInt32Const' },
  REDUCE_MIN: { dtypes: G_T, constInputs: [1], source: 'CheckAxesAreInt32Const' },
  REDUCE_PROD: { dtypes: G_T, constInputs: [1], source: 'CheckAxesAreInt32Const' },
  PAD: { dtypes: G_T, rank: [3, 4], constInputs: [1], maxVersion: 2, source: 'PadOperationParser: constant 4x2 or 3x2 paddings' },
  PADV2: { dtypes: G_T, rank: [3, 4], constInputs: [1], maxVersion: 2, source: 'PadOperationParser: constant 4x2 or 3x2 paddings' },
  MIRROR_PAD: {
    dtypes: G_T, rank: [3, 4], constInputs: [1], maxVersion: 2, options: [{ name: 'mode', allowed: [0], why: 'only REFLECT mirror padding' }],
    source: 'PadOperationParser(mirror)',
  },
  PACK: { dtypes: G_T, source: 'PackOperationParser' },
  UNPACK: { dtypes: G_T, source: 'UnpackOperationParser' },
  RESHAPE: { dtypes: G_T, constInputs: [1], maxVersion: 1, source: 'ReshapeOperationParser: one runtime input' },
  RESIZE_BILINEAR: { dtypes: G_T, constInputs: [1], maxVersion: 3, source: 'Resize2DOperationParser: one runtime input' },
  RESIZE_NEAREST_NEIGHBOR: { dtypes: G_T, constInputs: [1], maxVersion: 3, source: 'Resize2DOperationParser: one runtime input' },
  SLICE: { dtypes: G_T, rank: [3, 4], maxVersion: 2, source: 'CheckGpuDelegateCompatibility: 3-D or 4-D' },
  SOFTMAX: { dtypes: G_T, maxVersion: 2, options: [{ name: 'beta', allowed: [1], why: 'Softmax.beta != 1 is not supported' }], source: 'SoftmaxOperationParser' },
  SPLIT: { dtypes: G_T, source: 'SplitOperationParser' },
  SPLIT_V: { dtypes: G_T, source: 'SplitVOperationParser' },
  STRIDED_SLICE: {
    dtypes: G_T, rank: [3, 4], maxVersion: 4,
    options: ['ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].map((name) => ({ name, allowed: [0], why: `StridedSlice does not support ${name}` })),
    source: 'CheckGpuDelegateCompatibility: 3-D or 4-D, no ellipsis/new-axis/shrink masks',
  },
  TILE: { dtypes: G_T, constInputs: [1], source: 'TileOperationParser: one runtime input' },
  TRANSPOSE: { dtypes: G_T, constInputs: [1], maxVersion: 4, source: 'TransposeOperationParser: one runtime input' },
  TRANSPOSE_CONV: { dtypes: G_T, maxVersion: 3, source: 'TransposeConvBuiltinOperationParser' },
  LSTM: { dtypes: G_T, maxVersion: 4, source: 'LSTMOperationParser: sigmoid/tanh activation' },
  // MediaPipe / custom ops (CheckCustomOpsGpuDelegateCompatibility).
  Convolution2DTransposeBias: { dtypes: G_T, source: 'TransposeConvCustomOperationParser' },
  MaxPoolingWithArgmax2D: { dtypes: [...G_T, 'int32'], source: 'Pooling2DOperationParser(custom)' },
  MaxUnpooling2D: { dtypes: [...G_T, 'int32'], source: 'Unpooling2DOperationParser' },
  Resampler: { dtypes: G_T, source: 'ResamplerOperationParser' },
};

/** Options the delegates read for a shape: the GPU delegate only takes graphs with static-sized tensors. */
export const SHAPE_INPUTS: Readonly<Record<string, readonly number[]>> = {
  RESHAPE: [1], PAD: [1], PADV2: [1], MIRROR_PAD: [1], RESIZE_BILINEAR: [1], RESIZE_NEAREST_NEIGHBOR: [1], SLICE: [1, 2],
  STRIDED_SLICE: [1, 2, 3], TILE: [1], BROADCAST_TO: [1], TRANSPOSE_CONV: [0], EXPAND_DIMS: [1],
};

/**
 * Builtin codes ondevice's reader does not name (it reads them as BUILTIN_<n>) that the rules above name
 * (tflite/builtin_ops.h).
 */
export const EXTRA_BUILTIN_NAMES: Readonly<Record<number, string>> = {
  16: 'LSTM', 48: 'TOPK_V2', 59: 'NEG', 66: 'SIN', 69: 'TILE', 81: 'REDUCE_PROD', 89: 'REDUCE_MIN', 104: 'CEIL',
  108: 'COS', 111: 'ELU', 116: 'ROUND',
};

/** The GPU delegate's default: only the largest partition of supported nodes is delegated (delegate_options.cc). */
export const GPU_MAX_DELEGATED_PARTITIONS = 1;
