// Mixed 8/16-bit QNN models: one activation type per node unit, and DQ → Q converts where a tensor crosses between types.
import type { Graph, Node } from '../../ir/graph.ts';
import { makeTensor, tensorFloats, tensorValues } from '../../ir/tensor.ts';
import { producers as producersOf, toposort } from '../../ir/toposort.ts';
import { constantOf, nameAllocator, usesOf } from '../../passes/graph-edit.ts';
import { computeParams, typeLimits, type QuantType } from '../../quantize/params.ts';
import { intArray } from '../../quantize/qdq.ts';

/** Activation types of QNN units, narrow to wide. */
type ActivationType = 'uint8' | 'uint16';

/** What {@link unifyUnitTypes} changed. */
export interface MixedUnits {
  /** Compute nodes whose unit runs on 16-bit activations. */
  sixteenBitNodes: number;
  /** Outputs re-encoded at 16 bits (same real range) because their producer runs at 16 bits. */
  widened: number;
  /** DQ → Q conversions inserted (the QNN EP runs each as one Convert op). */
  converts: number;
}

const isQ = (n: Node | undefined): n is Node => n?.op === 'QuantizeLinear';
const isDQ = (n: Node | undefined): n is Node => n?.op === 'DequantizeLinear';

/**
 * Makes every compute node's unit one activation type, as onnxruntime's mixed-precision QDQ quantizer does for the QNN
 * EP (tensor_quant_overrides "convert"): a node reading or writing a 16-bit activation runs at 16 bits (its narrow
 * outputs are re-encoded at 16 bits over the same real range); where a tensor's type differs from a reader's, the reader
 * gets its own DQ → Q(reader's type) → DQ chain, which the EP fuses into a QNN Convert. Biases follow their new input
 * scale. Nodes are typed from the activation types as quantized, before any change, so 16 bits do not spread.
 */
export function unifyUnitTypes(graph: Graph, wideDomain: '' | 'com.microsoft', calibrated: ReadonlyMap<string, { min: number; max: number }> = new Map()): MixedUnits {
  const fresh = nameAllocator(graph);
  const producers = producersOf(graph);
  const uses = usesOf(graph);
  const activationDq = (value: string): Node | undefined => {
    const p = producers.get(value);
    return isDQ(p) && !constantOf(graph, p.inputs[0]) ? p : undefined;
  };
  const typeOf = (qdq: Node): ActivationType | undefined => {
    const zp = qdq.inputs[2] ? constantOf(graph, qdq.inputs[2]) : undefined;
    return zp?.dtype === 'uint8' || zp?.dtype === 'uint16' ? zp.dtype : undefined;
  };
  const outputQs = (n: Node): Node[] => n.outputs.flatMap((o) => (uses.get(o) ?? []).map((u) => u.node).filter(isQ));
  const compute = toposort(graph).filter((n) => n.op !== 'QuantizeLinear' && n.op !== 'DequantizeLinear');
  const unitType = new Map<Node, ActivationType>();
  for (const n of compute) {
    const types = [...n.inputs.flatMap((v) => { const dq = activationDq(v); return dq ? [typeOf(dq)] : []; }), ...outputQs(n).map(typeOf)];
    if (types.includes('uint16')) unitType.set(n, 'uint16');
  }
  const result: MixedUnits = { sixteenBitNodes: unitType.size, widened: 0, converts: 0 };
  const added: Node[] = [];

  // The 8-bit range of a tensor for readers converting it down: its own 8-bit grid before widening, else its calibrated
  // range (a 16-bit range carries headroom, which at 8 bits would cost precision), else its 16-bit grid's.
  const narrowRange = new Map<string, { min: number; max: number }>();
  // Outputs of 16-bit nodes quantized at 8 bits: the same real range at 16 bits, for the Q and every DQ reading it.
  for (const [n] of unitType) {
    for (const q of outputQs(n)) {
      if (typeOf(q) !== 'uint8') continue;
      narrowRange.set(q.outputs[0], rangeOf(graph, q, 'uint8'));
      const [scale, zp] = encode(graph, fresh, q.outputs[0], rangeOf(graph, q, 'uint8'), 'uint16');
      for (const r of [q, ...(uses.get(q.outputs[0]) ?? []).map((u) => u.node).filter(isDQ)]) {
        r.inputs.splice(1, 2, scale, zp);
        r.domain = wideDomain;
      }
      result.widened++;
    }
  }

  // Readers whose unit type differs from their input's: a DQ → Q → DQ convert of their own (shared by readers of one type).
  const converted = new Map<string, string>();
  for (const n of compute) {
    const want = unitType.get(n) ?? 'uint8';
    n.inputs.forEach((value, slot) => {
      const dq = value ? activationDq(value) : undefined;
      const have = dq && typeOf(dq);
      if (!dq || !have || have === want) return;
      const key = `${dq.inputs[0]}\u0000${want}`;
      let out = converted.get(key);
      if (!out) {
        const narrowFloat = fresh(`${value}_cvt_f`), quantized = fresh(`${value}_cvt_q`);
        out = fresh(`${value}_${want}`);
        const float = producers.get(dq.inputs[0])?.inputs[0] ?? '';
        const range = want === 'uint8' ? narrowRange.get(dq.inputs[0]) ?? calibrated.get(float) ?? rangeOf(graph, dq, have) : rangeOf(graph, dq, have);
        const [scale, zp] = encode(graph, fresh, value, range, want);
        const domain = want === 'uint16' ? wideDomain : dq.domain;
        added.push(
          { op: 'DequantizeLinear', domain: dq.domain, name: fresh(`${value}_cvt_dq`), inputs: [...dq.inputs], outputs: [narrowFloat], attributes: new Map() },
          { op: 'QuantizeLinear', domain, name: fresh(`${value}_cvt`), inputs: [narrowFloat, scale, zp], outputs: [quantized], attributes: new Map() },
          { op: 'DequantizeLinear', domain, name: fresh(`${value}_cvt_dq2`), inputs: [quantized, scale, zp], outputs: [out], attributes: new Map() },
        );
        converted.set(key, out);
        result.converts++;
      }
      n.inputs[slot] = out;
    });
  }
  graph.nodes = toposort({ ...graph, nodes: [...graph.nodes, ...added] });
  return result;
}

/** The real range a Q/DQ's integer grid covers: [(qmin − zp)·s, (qmax − zp)·s]. */
function rangeOf(graph: Graph, qdq: Node, type: QuantType): { min: number; max: number } {
  const s = tensorFloats(constantOf(graph, qdq.inputs[1])!)[0];
  const zp = Number(tensorValues(constantOf(graph, qdq.inputs[2])!)[0]);
  const [lo, hi] = typeLimits(type);
  return { min: (lo - zp) * s, max: (hi - zp) * s };
}

/** New scale and zero-point initializers for `range` in `type`. */
function encode(graph: Graph, fresh: (b: string) => string, value: string, range: { min: number; max: number }, type: QuantType): [string, string] {
  const p = computeParams(range, type, false);
  const scale = fresh(`${value}_${type}_s`), zp = fresh(`${value}_${type}_zp`);
  graph.initializers.set(scale, makeTensor(scale, 'float32', [], new Float32Array([p.scale])));
  graph.initializers.set(zp, makeTensor(zp, type, [], intArray(type, [p.zeroPoint])));
  return [scale, zp];
}
