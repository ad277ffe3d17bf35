// Inference for the recurrent ops: RNN, GRU, LSTM (Y [T, D, B, H] or [B, T, D, H] with layout 1; Y_h/Y_c [D, B, H]).
import { formatShape, type InferContext, type InferResult, type OpTable } from './common.ts';
import type { Dim } from '../graph.ts';

/** Outputs of a recurrent op: the full sequence, then one [D, B, H] state per remaining output. */
function recurrent(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x) return [undefined, undefined, undefined];
  const w = ctx.input(1);
  const direction = ctx.attrString('direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) ctx.fail(`direction '${direction}' is not forward, reverse or bidirectional`);
  const d: Dim = direction === 'bidirectional' ? 2 : 1;
  const gates = { LSTM: 4, GRU: 3 }[ctx.node.op] ?? 1;
  const rows = w?.shape?.[1];
  const hidden: Dim = ctx.attrInt('hidden_size') ?? (typeof rows === 'number' ? rows / gates : null);
  const layout = ctx.attrInt('layout', 0);
  if (!x.shape) return [{ dtype: x.dtype }, { dtype: x.dtype }, { dtype: x.dtype }];
  if (x.shape.length !== 3) ctx.fail(`X must be 3-D, got ${formatShape(x.shape)}`);
  if (w?.shape && w.shape.length === 3 && typeof w.shape[2] === 'number' && typeof x.shape[2] === 'number' && w.shape[2] !== x.shape[2]) {
    ctx.fail(`W ${formatShape(w.shape)} does not match input size ${x.shape[2]} of X ${formatShape(x.shape)}`);
  }
  const [seq, batch] = layout === 1 ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const y = layout === 1 ? [batch, seq, d, hidden] : [seq, d, batch, hidden];
  const state = layout === 1 ? [batch, d, hidden] : [d, batch, hidden];
  return [{ dtype: x.dtype, shape: y }, { dtype: x.dtype, shape: state }, { dtype: x.dtype, shape: [...state] }];
}

/** Shape rules of the ONNX recurrent ops (Y, Y_h and Y_c). */
export const recurrentOps: OpTable = { RNN: recurrent, GRU: recurrent, LSTM: recurrent };
