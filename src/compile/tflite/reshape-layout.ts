// Layouts through a Reshape: which stored orders a RESHAPE can reinterpret without moving data, and the output layout then.
import { identity, isIdentity, type Perm } from './layout.ts';

/** A run of input axes and a run of output axes with the same element count (a split, a merge, or a kept axis). */
interface Group {
  ins: number[];
  outs: number[];
}

/** The non-unit axes of a reshape grouped into split/merge runs; undefined when the sizes do not factor that way. */
function reshapeGroups(inShape: readonly number[], outShape: readonly number[]): Group[] | undefined {
  const ins = identity(inShape.length).filter((a) => inShape[a] !== 1);
  const outs = identity(outShape.length).filter((a) => outShape[a] !== 1);
  const groups: Group[] = [];
  let i = 0, j = 0;
  while (i < ins.length && j < outs.length) {
    const g: Group = { ins: [ins[i]], outs: [outs[j]] };
    let pi = inShape[ins[i++]], po = outShape[outs[j++]];
    while (pi !== po) {
      if (pi < po && i < ins.length) { g.ins.push(ins[i]); pi *= inShape[ins[i++]]; }
      else if (po < pi && j < outs.length) { g.outs.push(outs[j]); po *= outShape[outs[j++]]; }
      else return undefined;
    }
    groups.push(g);
  }
  return i === ins.length && j === outs.length ? groups : undefined;
}

/** A layout with the non-unit axes in `order` and each size-1 axis at its own IR position. */
function withUnitAxes(shape: readonly number[], order: number[]): number[] {
  let next = 0;
  return identity(shape.length).map((a) => (shape[a] === 1 ? a : order[next++]));
}

/**
 * How to reshape data stored under `perm` without a full transpose to IR order. `input` is the layout to read the
 * input in — `perm` itself when every split/merge run of axes is stored contiguously in IR order, else the closest
 * layout where it is (one TRANSPOSE) — and `output` the layout the RESHAPE result is then stored in.
 * Undefined when the reshape does not factor into runs (then data must go through IR order).
 */
export function reshapeLayout(inShape: readonly number[], outShape: readonly number[], perm: Perm): { input: Perm; output: Perm } | undefined {
  const groups = reshapeGroups(inShape, outShape);
  if (!groups) return undefined;
  const stored = perm.filter((a) => inShape[a] !== 1);
  const first = (g: Group) => Math.min(...g.ins.map((a) => stored.indexOf(a)));
  const ordered = [...groups].sort((a, b) => first(a) - first(b));
  const input = withUnitAxes(inShape, ordered.flatMap((g) => g.ins));
  const output = withUnitAxes(outShape, ordered.flatMap((g) => g.outs));
  // The input layout must hold the same element order as `perm` would, unless a TRANSPOSE is inserted.
  const same = input.filter((a) => inShape[a] !== 1).every((a, k) => a === stored[k]);
  return { input: same ? perm : input, output: isIdentity(output) ? identity(outShape.length) : output };
}
