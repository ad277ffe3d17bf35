// Object-level mutations of a decoded TFLite model: odd shapes and types, buffer and index mix-ups, odd options and quantization.
import type { TflModel } from '../../src/formats/tflite/schema/types.ts';
import { INTERESTING_DIMS, type Rng } from './rng.ts';

const ODD_INDICES = [-1, -2, 0, 1, 2 ** 31 - 1, 1000];

/** Applies one random mutation to `model` in place and returns its label. */
export function mutateTflite(model: TflModel, rng: Rng): string {
  const sg = model.subgraphs[0];
  if (!sg) return 'no-op';
  const tensorIndex = () => rng.int(sg.tensors.length);
  switch (rng.int(12)) {
    case 0: {
      const i = tensorIndex();
      const t = sg.tensors[i];
      const shape = [...t.shape];
      const dim = rng.pick(INTERESTING_DIMS.filter((d) => Math.abs(d) < 2 ** 31));
      if (shape.length && rng.chance(0.85)) shape[rng.int(shape.length)] = dim;
      else shape.push(dim);
      t.shape = shape;
      if (rng.chance(0.5)) t.shape_signature = shape.map((d) => (rng.chance(0.3) ? -1 : d));
      return `tensor ${i} shape → [${shape.join(',')}]`;
    }
    case 1: {
      const i = tensorIndex();
      sg.tensors[i].type = rng.int(20);
      return `tensor ${i} type → ${sg.tensors[i].type}`;
    }
    case 2: {
      const i = tensorIndex();
      sg.tensors[i].buffer = rng.chance(0.5) ? rng.int(model.buffers.length) : rng.pick(ODD_INDICES);
      return `tensor ${i} buffer → ${sg.tensors[i].buffer}`;
    }
    case 3: {
      const withData = model.buffers.map((b, i) => [b, i] as const).filter(([b]) => b.data?.length);
      if (!withData.length) return 'no-op';
      const [b, i] = rng.pick(withData);
      b.data = rng.chance(0.5) ? b.data!.subarray(0, rng.int(b.data!.length)) : new Uint8Array(b.data!.length + 1 + rng.int(64));
      return `buffer ${i} → ${b.data.length} bytes`;
    }
    case 4: {
      if (!sg.operators.length) return 'no-op';
      const k = rng.int(sg.operators.length);
      const op = sg.operators[k];
      const list = rng.chance(0.6) ? op.inputs : op.outputs;
      const to = rng.chance(0.6) ? tensorIndex() : rng.pick(ODD_INDICES);
      list[rng.int(list.length + 1)] = to;
      return `operator ${k} reads/writes tensor ${to}`;
    }
    case 5: {
      if (!sg.operators.length) return 'no-op';
      const k = rng.int(sg.operators.length);
      sg.operators[k].opcode_index = rng.chance(0.7) ? rng.int(model.operator_codes.length) : rng.pick(ODD_INDICES);
      return `operator ${k} opcode index → ${sg.operators[k].opcode_index}`;
    }
    case 6: {
      if (!model.operator_codes.length) return 'no-op';
      const c = rng.pick(model.operator_codes);
      c.builtin_code = rng.chance(0.8) ? rng.int(210) : rng.pick(ODD_INDICES);
      c.deprecated_builtin_code = Math.min(127, Math.max(-128, c.builtin_code));
      if (rng.chance(0.1)) c.custom_code = 'FuzzOp';
      return `an opcode → builtin ${c.builtin_code}`;
    }
    case 7: {
      const ops = sg.operators.filter((o) => o.builtin_options);
      if (!ops.length) return 'no-op';
      const op = rng.pick(ops);
      const keys = Object.keys(op.builtin_options!);
      const key = keys.length ? rng.pick(keys) : 'fused_activation_function';
      op.builtin_options![key] = rng.chance(0.8) ? rng.pick([0, -1, 2 ** 31 - 1, 7, 100, 3]) : [rng.int(5), -1];
      if (rng.chance(0.2)) op.builtin_options_type = rng.int(130);
      return `options.${key} → ${JSON.stringify(op.builtin_options![key])}`;
    }
    case 8: {
      const list = rng.chance(0.5) ? sg.inputs : sg.outputs;
      const to = rng.chance(0.5) ? tensorIndex() : rng.pick(ODD_INDICES);
      if (rng.chance(0.3)) list.length = 0;
      else list[rng.int(list.length + 1)] = to;
      return `subgraph inputs/outputs → [${sg.inputs.join(',')}] / [${sg.outputs.join(',')}]`;
    }
    case 9: {
      const t = sg.tensors[tensorIndex()];
      t.quantization = rng.pick([
        { scale: [] as number[], zero_point: [0] }, { scale: [NaN], zero_point: [0] }, { scale: [0], zero_point: [2 ** 31 - 1] },
        { scale: [1, 2, 3], zero_point: [0], quantized_dimension: 7 }, { scale: [Infinity], zero_point: [-1] },
      ]);
      return `tensor '${t.name}' quantization → ${JSON.stringify(t.quantization)}`;
    }
    case 10: {
      if (!sg.operators.length) return 'no-op';
      const k = rng.int(sg.operators.length);
      if (rng.chance(0.5)) sg.operators.splice(k, 1);
      else sg.operators.splice(rng.int(sg.operators.length + 1), 0, structuredClone(sg.operators[k]));
      return `operator ${k} dropped or duplicated`;
    }
    default: {
      // A cycle: an operator reads the output of a later one.
      if (sg.operators.length < 2) return 'no-op';
      const k = rng.int(sg.operators.length - 1);
      const later = sg.operators[k + 1 + rng.int(sg.operators.length - k - 1)];
      if (!sg.operators[k].inputs.length || !later.outputs.length) return 'no-op';
      sg.operators[k].inputs[0] = later.outputs[0];
      return `cycle: operator ${k} reads a later output`;
    }
  }
}
