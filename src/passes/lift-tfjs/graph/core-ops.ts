// The table of TensorFlow op lifters for the dataflow ops (convolutions, math, shapes, slices, reductions, resizes).
import type { TfjsLifter } from '../context.ts';
import { activationLifter, liftPrelu } from './activation.ts';
import { liftConv2DBackpropInput } from './conv-transpose.ts';
import { liftAvgPool, liftConv2D, liftDepthwiseConv2D, liftFusedConv2D, liftFusedDepthwiseConv2D, liftMaxPool } from './conv.ts';
import {
  binary, liftAddN, liftBiasAdd, liftCast, liftClipByValue, liftCumsum, liftDiv, liftFloorDiv, liftFloorMod, liftIdentity, liftNoOp, liftNotEqual, liftOnesLike, liftRsqrt,
  liftSelect, liftSquare, liftSquaredDifference, liftZerosLike, softmax, unary,
} from './elementwise.ts';
import { liftDepthToSpace, liftSpaceToDepth } from './depth.ts';
import { liftGather } from './gather.ts';
import { liftAll, liftAny, liftDivNoNan, liftEinsum, liftExpm1, liftGatherNd, liftIsFinite, liftLog1p, liftLRN, liftOneHot, liftReverseV2, liftShapeN } from './math.ts';
import { liftBatchMatMul, liftFusedMatMul, liftMatMul } from './matmul.ts';
import { liftFusedBatchNorm } from './norm.ts';
import { liftMirrorPad, liftPad } from './pad.ts';
import { liftArgMax, liftArgMin, liftMax, liftMean, liftMin, liftProd, liftSum } from './reduce.ts';
import { liftResizeBilinear, liftResizeNearestNeighbor } from './resize.ts';
import {
  liftBroadcastTo, liftConcat, liftExpandDims, liftFill, liftPack, liftRange, liftRank, liftReshape, liftShape, liftSize, liftSplit, liftSplitV, liftSqueeze,
  liftTile, liftTranspose, liftUnpack,
} from './shape.ts';
import { liftSlice, liftStridedSlice } from './slice.ts';
import { liftBatchToSpaceND, liftSpaceToBatchND } from './space-batch.ts';

const same = (ops: string[]): [string, TfjsLifter][] => ops.map((op) => [op, unary(op)]);

/** Lifters of TensorFlow's dataflow ops, by op name. */
export const CORE_LIFTERS: [string, TfjsLifter][] = [
  ['Conv2D', liftConv2D], ['_FusedConv2D', liftFusedConv2D],
  ['DepthwiseConv2dNative', liftDepthwiseConv2D], ['FusedDepthwiseConv2dNative', liftFusedDepthwiseConv2D],
  ['DepthwiseConv2d', liftDepthwiseConv2D], ['Conv2DBackpropInput', liftConv2DBackpropInput], ['LRN', liftLRN], ['DepthToSpace', liftDepthToSpace], ['SpaceToDepth', liftSpaceToDepth],
  ['SpaceToBatchND', liftSpaceToBatchND], ['BatchToSpaceND', liftBatchToSpaceND],
  ['MaxPool', liftMaxPool], ['AvgPool', liftAvgPool],
  ['MatMul', liftMatMul], ['_FusedMatMul', liftFusedMatMul],
  ['BatchMatMul', liftBatchMatMul], ['BatchMatMulV2', liftBatchMatMul], ['BatchMatMulV3', liftBatchMatMul],
  ['FusedBatchNorm', liftFusedBatchNorm], ['FusedBatchNormV2', liftFusedBatchNorm], ['FusedBatchNormV3', liftFusedBatchNorm],
  ['BiasAdd', liftBiasAdd], ['BiasAddV1', liftBiasAdd], ['AddN', liftAddN],
  ['Add', binary('Add')], ['AddV2', binary('Add')], ['Sub', binary('Sub')], ['Mul', binary('Mul')], ['RealDiv', binary('Div')],
  ['Div', liftDiv], ['FloorDiv', liftFloorDiv], ['FloorMod', liftFloorMod], ['Maximum', binary('Max')], ['Minimum', binary('Min')],
  ['Pow', binary('Pow')], ['SquaredDifference', liftSquaredDifference], ['ClipByValue', liftClipByValue], ['Cumsum', liftCumsum],
  ['Mod', liftFloorMod], ['DivNoNan', liftDivNoNan], ['Expm1', liftExpm1], ['Log1p', liftLog1p], ['IsFinite', liftIsFinite], ['IsNan', unary('IsNaN')], ['IsInf', unary('IsInf')],
  ['All', liftAll], ['Any', liftAny], ['ReverseV2', liftReverseV2], ['GatherNd', liftGatherNd], ['OneHot', liftOneHot], ['Einsum', liftEinsum],
  ['Less', binary('Less')], ['LessEqual', binary('LessOrEqual')], ['Greater', binary('Greater')], ['GreaterEqual', binary('GreaterOrEqual')],
  ['Equal', binary('Equal')], ['NotEqual', liftNotEqual],
  ['LogicalAnd', binary('And')], ['LogicalOr', binary('Or')], ['LogicalNot', unary('Not')],
  ['Select', liftSelect], ['SelectV2', liftSelect],
  ...['Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Sigmoid', 'Tanh'].map((op): [string, TfjsLifter] => [op, activationLifter(op)]),
  ['Prelu', liftPrelu], ['Softmax', softmax('Softmax')], ['LogSoftmax', softmax('LogSoftmax')],
  ...same(['Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Tan', 'Erf', 'Sign', 'Softplus', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh']),
  ['Rsqrt', liftRsqrt], ['Square', liftSquare], ['Inv', unary('Reciprocal')],
  ['Cast', liftCast], ['ZerosLike', liftZerosLike], ['OnesLike', liftOnesLike],
  ...['Identity', 'IdentityN', 'StopGradient', 'Snapshot', 'PreventGradient', 'PlaceholderWithDefault', 'EnsureShape', 'CheckNumerics'].map((op): [string, TfjsLifter] => [op, liftIdentity]),
  ['NoOp', liftNoOp],
  ['Reshape', liftReshape], ['Squeeze', liftSqueeze], ['ExpandDims', liftExpandDims], ['Transpose', liftTranspose],
  ['ConcatV2', liftConcat], ['Concat', liftConcat], ['Pack', liftPack], ['Unpack', liftUnpack], ['Split', liftSplit], ['SplitV', liftSplitV],
  ['Slice', liftSlice], ['StridedSlice', liftStridedSlice],
  ['Pad', liftPad], ['PadV2', liftPad], ['MirrorPad', liftMirrorPad],
  ['Mean', liftMean], ['Sum', liftSum], ['Max', liftMax], ['Min', liftMin], ['Prod', liftProd], ['ArgMax', liftArgMax], ['ArgMin', liftArgMin],
  ['ResizeBilinear', liftResizeBilinear], ['ResizeNearestNeighbor', liftResizeNearestNeighbor],
  ['Shape', liftShape], ['Size', liftSize], ['Rank', liftRank], ['ShapeN', liftShapeN], ['Fill', liftFill], ['Tile', liftTile], ['BroadcastTo', liftBroadcastTo], ['Range', liftRange],
  ['GatherV2', liftGather], ['Gather', liftGather],
];
