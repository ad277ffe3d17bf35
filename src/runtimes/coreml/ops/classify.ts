// classify (iOS15 classify.py): probabilities + a list of string/int64 classes → the top label and a label → probability dict.
import type { Kernel } from '../context.ts';
import { asFloat32, tensor, type RtDict, type RtTensor } from '../value.ts';

const classify: Kernel = (ctx) => {
  const probs = ctx.tensor('probabilities');
  const classes = ctx.value('classes');
  if (!classes || classes.kind !== 'list') throw ctx.error("'classes' must be a list");
  const p = asFloat32(probs);
  if (classes.items.length !== p.length) throw ctx.error(`${classes.items.length} classes for ${p.length} probabilities`);
  const keys = classes.items.map((item) => {
    const d = item.data;
    if (Array.isArray(d)) return d[0];
    if (d instanceof BigInt64Array) return d[0];
    throw ctx.error(`class labels are ${item.dtype}; expected string or int64`);
  });
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  const top = keys[best];
  const label: RtTensor = typeof top === 'string' ? tensor('string', [], [top]) : tensor('int64', [], BigInt64Array.of(top));
  const dict: RtDict = { kind: 'dict', keys, values: Float64Array.from(p) };
  return [label, dict];
};

/** Classifier kernels by op type. */
export const CLASSIFY_KERNELS: Record<string, Kernel> = { classify };
