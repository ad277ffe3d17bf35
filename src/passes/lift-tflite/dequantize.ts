// Lifts TFLite DEQUANTIZE of a constant (float16 or int8/uint8 weights) by folding it into a float32 constant.
import { tensorFloats, tensorValues } from '../../ir/tensor.ts';
import { LiftRefusal } from './context.ts';
import type { Lifter } from './lifter.ts';

/** DEQUANTIZE(constant) → float32 constant under the output's name: float16 decoded, int8/uint8 as (q − zero_point)·scale per channel. */
export const liftDequantize: Lifter = (node, ctx) => {
  const t = ctx.constant(node.inputs[0], 'the dequantized input (only constant weights are lifted)');
  let values: Float32Array;
  if (t.dtype === 'float16') values = tensorFloats(t);
  else if (t.dtype === 'int8' || t.dtype === 'uint8' || t.dtype === 'int16') {
    const q = (t.extra?.tfliteQuantization ?? {}) as { scale?: number[]; zero_point?: number[]; quantized_dimension?: number };
    if (!q.scale?.length) throw new LiftRefusal(`${t.dtype} constant '${t.name}' has no quantization scale`);
    const axis = q.quantized_dimension ?? 0;
    const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const raw = tensorValues(t) as Int8Array | Uint8Array | Int16Array;
    values = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const c = q.scale.length === 1 ? 0 : Math.floor(i / inner) % t.dims[axis];
      values[i] = (raw[i] - Number(q.zero_point?.[c] ?? 0)) * q.scale[c];
    }
  } else throw new LiftRefusal(`dequantizing ${t.dtype} is not lifted`);
  ctx.graph.initializers.set(node.outputs[0], { name: node.outputs[0], dtype: 'float32', dims: [...t.dims], data: { kind: 'bytes', bytes: new Uint8Array(values.buffer) } });
  ctx.graph.valueInfo.delete(node.outputs[0]);
};
