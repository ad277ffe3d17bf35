// The emitter registry: ONNX op type → the function that writes its TFLite ops.
import type { Node } from '../../../ir/graph.ts';
import type { EmitContext } from '../context.ts';
import { emitConv } from './conv.ts';
import { emitAlias, emitBinary, emitUnary } from './elementwise.ts';
import { emitFullyConnected } from './gemm.ts';
import { emitGlobalPool, emitPool } from './pool.ts';
import { emitReduce, emitSoftmax } from './reduce.ts';
import { emitResize } from './resize.ts';
import { emitConcat, emitGather, emitPad, emitReshape, emitSlice, emitSplit, emitTranspose } from './shape.ts';

/** Writes the TFLite ops of one ONNX node (throws Unmappable when it cannot). */
export type Emitter = (node: Node, ctx: EmitContext) => void;

const table: [Emitter, string[]][] = [
  [emitConv, ['Conv']],
  [emitFullyConnected, ['Gemm', 'MatMul']],
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
  [emitSplit, ['Split']],
  [emitSoftmax, ['Softmax', 'LogSoftmax']],
  [emitReduce, ['ReduceMean', 'ReduceMax', 'ReduceSum']],
  [emitResize, ['Resize', 'Upsample']],
];

/** Emitters of the default ONNX domain, by op type. */
export const EMITTERS: ReadonlyMap<string, Emitter> = new Map(table.flatMap(([fn, ops]) => ops.map((op) => [op, fn] as const)));
