// The QNN execution provider's HTP (NPU) rules as data: registered ops, dtypes, per-channel axes, rank and attribute limits.
//
// Sources read (2026-12-03), ONNX Runtime main at commit 00cd7c6df0a66cd628a5ab7e682cb870134a27ee (after ORT 1.22;
// QNN SDK 2.x), via the public repository microsoft/onnxruntime:
//   - onnxruntime/core/providers/qnn/builder/op_builder_factory.cc: the list of registered ONNX ops (HTP_OPS keys);
//   - onnxruntime/core/providers/qnn/builder/opbuilder/gemm_op_builder.cc: Gemm alpha = beta = 1, C of shape [M];
//   - https://onnxruntime.ai/docs/execution-providers/QNN-ExecutionProvider.html and
//     onnxruntime/python/tools/quantization/execution_providers/qnn/quant_config.py: HTP runs QDQ models
//     (uint8/uint16 activations, int8/int4 symmetric per-channel weights on Conv axis 0 and ConvTranspose axis 1,
//     per-tensor MatMul weights, int32 bias), static shapes only, no int64 at run time.
//   - onnxruntime/python/tools/quantization/execution_providers/qnn/mixed_precision_overrides_utils.py and
//     onnxruntime/core/providers/qnn/builder/qnn_node_group/dq_q_fusion.cc: a mixed 8/16-bit model keeps one
//     activation type per node unit; a tensor changes type through DQ → Q (a DQ with one Q child, scalar scale and
//     zero point), which the EP runs as a QNN Convert.
// Not verified here: limits only a device run can show (graph finalization, VTCM size, op-specific HTP corner cases).

/** Where these rules come from and the versions they describe. */
export const HTP_RULES_SOURCE = {
  onnxruntime: 'main @ 00cd7c6df0a66cd628a5ab7e682cb870134a27ee (after 1.22)',
  qnnSdk: '2.x',
  files: [
    'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/core/providers/qnn/builder/op_builder_factory.cc',
    'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/core/providers/qnn/builder/opbuilder/gemm_op_builder.cc',
    'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/python/tools/quantization/execution_providers/qnn/quant_config.py',
    'https://onnxruntime.ai/docs/execution-providers/QNN-ExecutionProvider.html',
    'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/python/tools/quantization/execution_providers/qnn/mixed_precision_overrides_utils.py',
    'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/core/providers/qnn/builder/qnn_node_group/dq_q_fusion.cc',
  ],
} as const;

/** Activation (Q/DQ) integer types the HTP backend takes. */
export const HTP_ACTIVATION_DTYPES: readonly string[] = ['uint8', 'uint16', 'int8', 'int16'];
/** Weight integer types: symmetric (zero point 0) when per-channel or signed. */
export const HTP_WEIGHT_DTYPES: readonly string[] = ['int8', 'int4', 'uint8', 'uint16', 'int16'];
/** Bias type of Conv/ConvTranspose/Gemm: int32 at input scale × weight scale. */
export const HTP_BIAS_DTYPE = 'int32';
/** Highest tensor rank an HTP op takes (QNN tensors are at most 5-D). */
export const HTP_MAX_RANK = 5;

/** An attribute limit: the node falls back unless the attribute (or its default) is one of `allowed`. */
export interface AttrLimit {
  name: string;
  default: number;
  allowed: number[];
  /** Source line the limit comes from. */
  why: string;
}

/** The HTP rule for one ONNX op. */
export interface HtpOpRule {
  /** Inputs that are weights (quantized constants), with the axis allowed for per-channel scales (null: per-tensor only). */
  weights?: { input: number; perChannelAxis: number | null | 'gemm-output' }[];
  /** The bias input (int32). */
  bias?: number;
  attrs?: AttrLimit[];
  /** Ops with inputs that QNN takes as static parameters (shape, axes, pads...): those inputs must be constant. */
  staticInputs?: number[];
}

const SIMPLE: HtpOpRule = {};

/** The ops registered for the QNN EP (op_builder_factory.cc), with their extra rules. Keyed by op type. */
export const HTP_OPS: Readonly<Record<string, HtpOpRule>> = {
  // Simple op builders.
  Add: SIMPLE, Asin: SIMPLE, Atan: SIMPLE, Mul: SIMPLE, Abs: SIMPLE, And: SIMPLE, Ceil: SIMPLE, Cos: SIMPLE, Sign: SIMPLE,
  Div: SIMPLE, Equal: SIMPLE, Exp: SIMPLE, Floor: SIMPLE, Greater: SIMPLE, GreaterOrEqual: SIMPLE, LeakyRelu: SIMPLE,
  Less: SIMPLE, LessOrEqual: SIMPLE, Log: SIMPLE, Max: SIMPLE, Min: SIMPLE, Neg: SIMPLE, Not: SIMPLE, Or: SIMPLE,
  Pow: SIMPLE, PRelu: SIMPLE, Relu: SIMPLE, Gelu: SIMPLE, Elu: SIMPLE, Round: SIMPLE, Where: SIMPLE, ScatterND: SIMPLE,
  Sigmoid: SIMPLE, Sin: SIMPLE, Sqrt: SIMPLE, Sub: SIMPLE, Sum: SIMPLE, Tanh: SIMPLE, Concat: SIMPLE,
  QuantizeLinear: SIMPLE, DequantizeLinear: SIMPLE, HardSwish: SIMPLE, HardSigmoid: SIMPLE, DepthToSpace: SIMPLE,
  SpaceToDepth: SIMPLE, GridSample: SIMPLE, LpNormalization: SIMPLE, ScatterElements: SIMPLE,
  Softmax: SIMPLE, LogSoftmax: SIMPLE, Cast: SIMPLE,
  ReduceMax: { staticInputs: [1] }, ReduceMean: { staticInputs: [1] }, ReduceMin: { staticInputs: [1] },
  ReduceProd: { staticInputs: [1] }, ReduceSum: { staticInputs: [1] }, ReduceL2: { staticInputs: [1] },
  Conv: { weights: [{ input: 1, perChannelAxis: 0 }], bias: 2 },
  ConvTranspose: { weights: [{ input: 1, perChannelAxis: 1 }], bias: 2 },
  GlobalAveragePool: SIMPLE, AveragePool: SIMPLE, MaxPool: SIMPLE, GlobalMaxPool: SIMPLE,
  Reshape: { staticInputs: [1] }, Flatten: SIMPLE, Squeeze: { staticInputs: [1] }, Unsqueeze: { staticInputs: [1] },
  Gemm: {
    // Per-channel on the output-channel axis (0 with transB=1, 1 otherwise), as our quantizer and ORT's QNN config emit.
    weights: [{ input: 1, perChannelAxis: 'gemm-output' }],
    bias: 2,
    attrs: [
      { name: 'alpha', default: 1, allowed: [1], why: 'gemm_op_builder.cc: QNN FullyConnected only supports alpha=1.0' },
      { name: 'beta', default: 1, allowed: [1], why: 'gemm_op_builder.cc: QNN FullyConnected only supports beta=1.0' },
    ],
  },
  Gather: SIMPLE, GatherElements: SIMPLE, ArgMax: SIMPLE, ArgMin: SIMPLE,
  Clip: SIMPLE, Slice: { staticInputs: [1, 2, 3, 4] }, Split: { staticInputs: [1] },
  Resize: { staticInputs: [1, 2, 3] }, Upsample: { staticInputs: [1] }, TopK: { staticInputs: [1] }, Tile: { staticInputs: [1] },
  InstanceNormalization: SIMPLE, BatchNormalization: SIMPLE, LayerNormalization: SIMPLE, RMSNormalization: SIMPLE, LRN: SIMPLE,
  Transpose: SIMPLE, Reciprocal: SIMPLE, Pad: { staticInputs: [1, 2, 3] }, Expand: { staticInputs: [1] }, Einsum: SIMPLE,
  // MatMul: per-tensor weights only (the HTP MatMul has no per-channel encoding).
  MatMul: { weights: [{ input: 1, perChannelAxis: null }] },
  Mean: SIMPLE, LSTM: SIMPLE, CumSum: SIMPLE, RandomUniformLike: SIMPLE, GatherND: SIMPLE, Mod: SIMPLE,
  ThresholdedRelu: SIMPLE, STFT: SIMPLE, Inverse: SIMPLE,
  // com.microsoft contrib op builder (FusedMatMul) and contrib Q/DQ (16-bit below opset 21) are accepted as well.
  FusedMatMul: { weights: [{ input: 1, perChannelAxis: null }] },
};

/**
 * Fixed output encodings of Sigmoid and Tanh with 16-bit activations (quant_config.py, get_qnn_qdq_config's
 * tensor_quant_overrides): the HTP kernels assume them. Keyed by op, then activation type.
 */
export const HTP_FIXED_OUTPUT_ENCODINGS: Readonly<Record<string, Readonly<Record<string, { scale: number; zeroPoint: number }>>>> = {
  Sigmoid: { uint16: { scale: 1 / 65536, zeroPoint: 0 }, int16: { scale: 1 / 32768, zeroPoint: 0 } },
  Tanh: { uint16: { scale: 1 / 32768, zeroPoint: 32768 }, int16: { scale: 1 / 32768, zeroPoint: 0 } },
};

/** quant_config.py's MinimumRealRange: the smallest real range (rmax - rmin) a quantized tensor is given. */
export const HTP_MINIMUM_REAL_RANGE = 0.0001;

/** 16-bit and 4-bit Q/DQ are ONNX-standard from opset 21; below it they must be com.microsoft Q/DQ. */
export const QDQ_WIDE_TYPES_OPSET = 21;
export const QDQ_WIDE_TYPES: readonly string[] = ['uint16', 'int16', 'uint4', 'int4'];

/** Domains whose ops the QNN EP looks up in HTP_OPS ('' is the default ONNX domain). */
export const HTP_DOMAINS: readonly string[] = ['', 'ai.onnx', 'com.microsoft'];

/** Control-flow ops the EP never takes: the fix is to fold (If) or unroll (Loop) them first. */
export const CONTROL_FLOW_OPS: readonly string[] = ['If', 'Loop', 'Scan'];
