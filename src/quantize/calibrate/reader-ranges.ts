// Activation ranges clipped to the interval their readers can tell apart: below −3 HardSwish is 0, HardSigmoid is flat
// outside [−β/α, (1−β)/α], Relu is 0 below 0, Clip is flat outside its bounds. A value read only by such ops can be
// quantized on the narrower range with no change in what the readers compute: Q/DQ saturates what lies outside, and
// the readers give the same output for the saturated value. The grid is left a step of margin past each kink so the
// saturated value (the grid's end, after zero-point rounding) still lies in the flat part.
import type { Graph, Node } from '../../ir/graph.ts';
import { attrFloat } from '../../ir/graph.ts';
import { tensorFloats } from '../../ir/tensor.ts';
import { constantOf, graphOutputNames, usesOf } from '../../passes/graph-edit.ts';
import type { TensorRange } from './calibrator.ts';

/** The interval outside which `node`'s output does not change with its input `value` (infinite ends: no flat part). */
function sensitiveInterval(graph: Graph, node: Node, value: string): TensorRange | undefined {
  if (node.inputs.filter((i) => i === value).length !== 1) return undefined;
  if ((node.op === 'Max' || node.op === 'Min') && node.inputs.length === 2) {
    // Max(x, c) is flat in x below c; Min(x, c) above c (c constant, per element): flat outside [min c, ∞) / (−∞, max c].
    const t = constantOf(graph, node.inputs[node.inputs[0] === value ? 1 : 0]);
    if (!t || t.dtype !== 'float32') return undefined;
    const c = tensorFloats(t);
    if (!c.length) return undefined;
    let lo = Infinity, hi = -Infinity;
    for (const v of c) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    return node.op === 'Max' ? { min: lo, max: Infinity } : { min: -Infinity, max: hi };
  }
  if (node.inputs[0] !== value) return undefined;
  switch (node.op) {
    case 'HardSwish':
      return { min: -3, max: Infinity };
    case 'Relu':
      return { min: 0, max: Infinity };
    case 'HardSigmoid': {
      const alpha = attrFloat(node, 'alpha', 0.2), beta = attrFloat(node, 'beta', 0.5);
      if (!(alpha > 0)) return undefined;
      return { min: -beta / alpha, max: (1 - beta) / alpha };
    }
    case 'Clip': {
      const bound = (slot: number, attr: string, fallback: number): number | undefined => {
        if (node.inputs.length > 1) {
          const name = node.inputs[slot];
          if (!name) return fallback;
          const t = constantOf(graph, name);
          return t && t.dims.every((d) => d === 1) ? tensorFloats(t)[0] : undefined;
        }
        return attrFloat(node, attr, fallback);
      };
      const lo = bound(1, 'min', -Infinity), hi = bound(2, 'max', Infinity);
      return lo === undefined || hi === undefined ? undefined : { min: lo, max: hi };
    }
    default:
      return undefined;
  }
}

/** What {@link clipRangesToReaders} changed. */
export interface ReaderClip {
  value: string;
  reader: string;
  before: TensorRange;
  after: TensorRange;
}

/**
 * `ranges` with each value that only flat-outside readers use (HardSwish, Relu, HardSigmoid, Clip with constant bounds)
 * narrowed to the union of its readers' sensitive intervals (Max/Min with a constant: flat below/above it), plus one grid step of margin (on a `levels`-level grid)
 * past each kink. Graph outputs and values with any other reader keep their range. Exact: the readers' outputs are the
 * same for every input the Q/DQ pair can produce.
 */
export function clipRangesToReaders(graph: Graph, ranges: ReadonlyMap<string, TensorRange>, levels = 256): { ranges: Map<string, TensorRange>; clipped: ReaderClip[] } {
  const uses = usesOf(graph);
  const outputs = graphOutputNames(graph);
  const result = new Map(ranges);
  const clipped: ReaderClip[] = [];
  for (const [value, r] of ranges) {
    const readers = uses.get(value) ?? [];
    if (!readers.length || outputs.has(value)) continue;
    let lo = Infinity, hi = -Infinity;
    let ok = true;
    for (const u of readers) {
      const s = sensitiveInterval(graph, u.node, value);
      if (!s) { ok = false; break; }
      lo = Math.min(lo, s.min);
      hi = Math.max(hi, s.max);
    }
    if (!ok || !(lo < hi)) continue;
    let min = r.min, max = r.max;
    // One step of the clipped grid past the kink, so rounding of the zero point never moves the grid's end inside.
    for (let i = 0; i < 2; i++) {
      const step = (Math.min(max, hi) - Math.max(min, lo)) / (levels - 1);
      min = Math.max(r.min, lo - step);
      max = Math.min(r.max, hi + step);
    }
    if (min > r.min || max < r.max) {
      const after = { min, max };
      result.set(value, after);
      clipped.push({ value, reader: readers[0].node.op, before: r, after });
    }
  }
  return { ranges: result, clipped };
}
