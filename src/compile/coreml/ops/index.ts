// The emitter registry: ONNX op type → the function that writes its MIL operations.
import type { Node } from '../../../ir/graph.ts';
import type { MilEmitContext } from '../context.ts';
import { emitClip, emitParametric, emitPRelu, emitSoftmax } from './activation.ts';
import { emitConv, emitConvTranspose } from './conv.ts';
import { emitBinary, emitCast, emitUnary, emitVariadic, emitWhere } from './elementwise.ts';
import { emitGemm, emitMatMul } from './gemm.ts';
import { emitChannelNorm, emitLayerNorm, emitLpNorm } from './normalization.ts';
import { emitGlobalPool, emitPool } from './pool.ts';
import { emitArg, emitReduce, REDUCE_OPS } from './reduce.ts';
import { emitResize } from './resize.ts';
import { emitConcat, emitGather, emitPad, emitReshape, emitSlice, emitSplit, emitTile, emitTranspose } from './shape.ts';

/** Writes the MIL operations of one ONNX node (throws Unmappable when it cannot). */
export type Emitter = (node: Node, ctx: MilEmitContext) => void;

const table: [Emitter, string[]][] = [
  [emitConv, ['Conv']],
  [emitConvTranspose, ['ConvTranspose']],
  [emitGemm, ['Gemm']],
  [emitMatMul, ['MatMul']],
  [emitPool, ['MaxPool', 'AveragePool']],
  [emitGlobalPool, ['GlobalAveragePool', 'GlobalMaxPool']],
  [emitBinary, ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Mod']],
  [emitVariadic, ['Max', 'Min', 'Sum', 'Mean']],
  [emitWhere, ['Where']],
  [emitUnary, ['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Abs', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Erf', 'Softplus', 'Not', 'Identity', 'Dropout', 'Neg', 'Reciprocal']],
  [emitCast, ['Cast']],
  [emitClip, ['Clip']],
  [emitParametric, ['LeakyRelu', 'Elu', 'HardSigmoid', 'HardSwish', 'Gelu']],
  [emitPRelu, ['PRelu']],
  [emitSoftmax, ['Softmax', 'LogSoftmax']],
  [emitChannelNorm, ['BatchNormalization', 'InstanceNormalization']],
  [emitLayerNorm, ['LayerNormalization']],
  [emitLpNorm, ['LpNormalization']],
  [emitReduce, REDUCE_OPS],
  [emitArg, ['ArgMax', 'ArgMin']],
  [emitResize, ['Resize', 'Upsample']],
  [emitReshape, ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']],
  [emitTranspose, ['Transpose']],
  [emitConcat, ['Concat']],
  [emitSplit, ['Split']],
  [emitSlice, ['Slice']],
  [emitPad, ['Pad']],
  [emitGather, ['Gather']],
  [emitTile, ['Tile', 'Expand']],
];

/** ONNX op type (default domain) → its emitter. */
export const EMITTERS: ReadonlyMap<string, Emitter> = new Map(table.flatMap(([fn, ops]) => ops.map((op) => [op, fn] as [string, Emitter])));
