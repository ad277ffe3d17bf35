// The emitter registry: ONNX op type → the function that writes its TFLite ops.
import type { Node } from '../../../ir/graph.ts';
import type { EmitContext } from '../context.ts';
import { emitConv } from './conv.ts';
import { emitConvTranspose } from './conv-transpose.ts';
import { emitAlias, emitBinary, emitUnary } from './elementwise.ts';
import { emitFullyConnected } from './gemm.ts';
import { emitMatMul } from './matmul.ts';
import { emitEinsum } from './einsum.ts';
import { emitErf, emitGelu } from './gelu.ts';
import { emitLayerNorm } from './normalization.ts';
import { emitGlobalPool, emitPool } from './pool.ts';
import { emitReduce, emitSoftmax } from './reduce.ts';
import { emitResize } from './resize.ts';
import { emitConcat, emitReshape, emitSlice, emitSplit, emitTranspose } from './shape.ts';
import { emitPad } from './pad.ts';
import { emitGather, emitGatherND } from './gather.ts';
import { emitLstm } from './lstm.ts';
import { emitGru } from './gru.ts';
import { emitRnn } from './rnn.ts';
import { emitIf } from './control-flow.ts';

/** Writes the TFLite ops of one ONNX node (throws Unmappable when it cannot). */
export type Emitter = (node: Node, ctx: EmitContext) => void;

const table: [Emitter, string[]][] = [
  [emitConv, ['Conv']],
  [emitConvTranspose, ['ConvTranspose']],
  [emitFullyConnected, ['Gemm']],
  [emitMatMul, ['MatMul']],
  [emitPool, ['MaxPool', 'AveragePool']],
  [emitGlobalPool, ['GlobalAveragePool', 'GlobalMaxPool']],
  [emitBinary, ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow']],
  [emitUnary, ['Relu', 'Clip', 'Sigmoid', 'Tanh', 'HardSwish', 'HardSigmoid', 'LeakyRelu', 'Exp', 'Sqrt', 'Abs', 'Floor']],
  [emitAlias, ['Identity', 'Dropout', 'Cast']],
  [emitReshape, ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']],
  [emitTranspose, ['Transpose']],
  [emitConcat, ['Concat']],
  [emitPad, ['Pad']],
  [emitSlice, ['Slice']],
  [emitGather, ['Gather']],
  [emitGatherND, ['GatherND']],
  [emitSplit, ['Split']],
  [emitSoftmax, ['Softmax', 'LogSoftmax']],
  [emitReduce, ['ReduceMean', 'ReduceMax', 'ReduceSum']],
  [emitResize, ['Resize', 'Upsample']],
  [emitEinsum, ['Einsum']],
  [emitLayerNorm, ['LayerNormalization']],
  [emitGelu, ['Gelu', 'com.microsoft/Gelu', 'com.microsoft/FastGelu']],
  [emitErf, ['Erf']],
  [emitLstm, ['LSTM']],
  [emitGru, ['GRU']],
  [emitRnn, ['RNN']],
  [emitIf, ['If']],
];

/** Emitters by op type (default ONNX domain) or `domain/op` (e.g. `com.microsoft/Gelu`). */
export const EMITTERS: ReadonlyMap<string, Emitter> = new Map(table.flatMap(([fn, ops]) => ops.map((op) => [op, fn] as const)));
