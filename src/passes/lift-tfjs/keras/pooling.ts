// Keras pooling (Max/AveragePooling1D–3D, GlobalAverage/GlobalMaxPooling1D–3D) as ONNX pools, channels first.
import { int, ints, type TfjsLifter } from '../context.ts';
import { axisToFront, channelsFirstRegion, channelsLast, configOf, onlyInput, paddingAttrs, tuple } from './common.ts';

/** Max/AveragePooling: pool_size, strides (default pool_size), same/valid; 'same' averages count only pixels inside (TF). */
function pool(op: 'MaxPool' | 'AveragePool'): TfjsLifter {
  return (node, ctx) => {
    const c = configOf(node);
    const x = onlyInput(node);
    const n = ctx.rank(x) - 2;
    const kernel = tuple(c.pool_size, n, 'pool_size', 2);
    const strides = tuple(c.strides ?? kernel, n, 'strides');
    channelsFirstRegion(ctx, x, channelsLast(c), node.outputs[0], (y, out) => ctx.emit(op, [y], {
      kernel_shape: ints(kernel), strides: ints(strides), ...paddingAttrs(ctx, y, c.padding ?? 'valid', kernel, strides, kernel.map(() => 1)),
      ...(op === 'AveragePool' ? { count_include_pad: int(0) } : {}),
    }, out));
  };
}

/** Max/AveragePooling1D, 2D and 3D. */
export const liftMaxPooling = pool('MaxPool');
export const liftAveragePooling = pool('AveragePool');

/** GlobalAverage/MaxPooling: the pool over channels-first data, then [N, C] (keepdims false) or the spatial 1s kept. */
function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): TfjsLifter {
  return (node, ctx) => {
    const c = configOf(node);
    const x = onlyInput(node);
    const last = channelsLast(c);
    if (c.keepdims === true) {
      channelsFirstRegion(ctx, x, last, node.outputs[0], (y, out) => ctx.emit(op, [y], {}, out));
      return;
    }
    const first = last ? ctx.transpose(x, axisToFront(ctx.rank(x), -1)) : x;
    ctx.emit('Flatten', [ctx.emit(op, [first])], { axis: int(1) }, node.outputs[0]);
  };
}

/** GlobalAveragePooling1D–3D and GlobalMaxPooling1D–3D. */
export const liftGlobalAveragePooling = globalPool('GlobalAveragePool');
export const liftGlobalMaxPooling = globalPool('GlobalMaxPool');
