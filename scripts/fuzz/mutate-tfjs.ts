// Object-level mutations of a TF.js model.json: odd shapes, dtypes and quantization in the manifest, broken node wiring and attributes, odd Keras configs.
import { INTERESTING_DIMS, type Rng } from './rng.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ODD_VALUES: unknown[] = [null, -1, 0, 2 ** 31, 'x', [], {}, [[-1]], 1e309, true];

/** Applies one random mutation to a parsed model.json in place and returns its label. */
export function mutateTfjs(json: Json, rng: Rng): string {
  const weights: Json[] = (json.weightsManifest ?? []).flatMap((g: Json) => g.weights ?? []);
  const nodes: Json[] = json.modelTopology?.node ?? [];
  const config = json.modelTopology?.model_config ?? json.modelTopology;
  const layers: Json[] = config?.config?.layers ?? [];
  switch (rng.int(10)) {
    case 0: {
      if (!weights.length) return 'no-op';
      const w = rng.pick(weights);
      const shape = [...(w.shape ?? [])];
      const dim = rng.pick(INTERESTING_DIMS);
      if (shape.length && rng.chance(0.8)) shape[rng.int(shape.length)] = dim;
      else shape.push(dim);
      w.shape = shape;
      return `weight '${w.name}' shape → [${shape.join(',')}]`;
    }
    case 1: {
      if (!weights.length) return 'no-op';
      const w = rng.pick(weights);
      if (rng.chance(0.5)) w.dtype = rng.pick(['int32', 'bool', 'string', 'complex64', 'float64', 'uint8']);
      else w.quantization = rng.pick([{ dtype: 'uint8' }, { dtype: 'uint16', scale: NaN, min: 0 }, { dtype: 'int4', scale: 1, min: 0 }, { dtype: 'float16' }]);
      return `weight '${w.name}' dtype/quantization → ${w.dtype} ${JSON.stringify(w.quantization ?? null)}`;
    }
    case 2: {
      const groups: Json[] = json.weightsManifest ?? [];
      if (!groups.length) return 'no-op';
      const g = rng.pick(groups);
      g.paths = rng.pick([[], ['../outside.bin'], ['/etc/passwd'], ['missing.bin'], [...g.paths, ...g.paths], [42]]);
      return `manifest paths → ${JSON.stringify(g.paths)}`;
    }
    case 3: {
      if (!nodes.length) return mutateLayer(layers, rng);
      const n = rng.pick(nodes.filter((x) => x.input?.length) as Json[]) ?? rng.pick(nodes);
      const other = rng.pick(nodes);
      n.input = [...(n.input ?? [])];
      n.input[rng.int(n.input.length + 1)] = rng.pick([other.name, `${other.name}:7`, 'nowhere', `^${other.name}`, '']);
      return `node '${n.name}' input → ${JSON.stringify(n.input)}`;
    }
    case 4: {
      if (!nodes.length) return mutateLayer(layers, rng);
      const n = rng.pick(nodes);
      const keys = Object.keys(n.attr ?? {});
      const key = keys.length ? rng.pick(keys) : 'T';
      n.attr = { ...(n.attr ?? {}), [key]: rng.pick([{ i: '-5' }, { i: '99999999999999999999' }, { list: { i: ['0', '-1'] } }, { s: '@@@' }, { type: 'DT_VARIANT' }, { shape: { dim: [{ size: '-7' }] } }, {}, { f: 'NaN' }]) };
      return `node '${n.name}' attr ${key} → ${JSON.stringify(n.attr[key])}`;
    }
    case 5: {
      if (!nodes.length) return mutateLayer(layers, rng);
      const n = rng.pick(nodes);
      n.op = rng.pick(['FuzzOp', 'Const', 'Placeholder', 'Merge', 'Enter', '_FusedConv2D', 'Identity']);
      return `node '${n.name}' op → ${n.op}`;
    }
    case 6: {
      if (!nodes.length) return mutateLayer(layers, rng);
      // A cycle: a node reads a later node.
      if (nodes.length < 2) return 'no-op';
      const k = rng.int(nodes.length - 1);
      const later = nodes[k + 1 + rng.int(nodes.length - k - 1)];
      nodes[k].input = [later.name, ...(nodes[k].input ?? []).slice(1)];
      return `cycle: node '${nodes[k].name}' reads '${later.name}'`;
    }
    case 7: {
      const sig = json.signature;
      if (sig?.outputs && rng.chance(0.6)) {
        sig.outputs = { 'nowhere:0': { name: 'nowhere:0' }, ...(rng.chance(0.5) ? sig.outputs : {}) };
        return 'signature output → nowhere:0';
      }
      return mutateLayer(layers, rng);
    }
    case 8:
      return mutateLayer(layers, rng);
    default: {
      const key = rng.pick(['modelTopology', 'weightsManifest', 'format', 'signature']);
      json[key] = rng.pick(ODD_VALUES);
      return `${key} → ${JSON.stringify(json[key])}`;
    }
  }
}

/** One mutation of a Keras layer list (config values, inbound nodes, class names). */
function mutateLayer(layers: Json[], rng: Rng): string {
  if (!layers.length) return 'no-op';
  const l = rng.pick(layers);
  switch (rng.int(4)) {
    case 0: {
      const keys = Object.keys(l.config ?? {});
      if (!keys.length) return 'no-op';
      const key = rng.pick(keys);
      l.config[key] = rng.pick([...ODD_VALUES, 'valid', 'same', [0, 0], [-1, 3], 'channels_first', 'fuzz_activation']);
      return `layer '${l.name}' config.${key} → ${JSON.stringify(l.config[key])}`;
    }
    case 1:
      l.class_name = rng.pick(['FuzzLayer', 'Lambda', 'Conv3D', 'Dense', 'InputLayer', 'Model']);
      return `layer '${l.name}' class → ${l.class_name}`;
    case 2: {
      const other = rng.pick(layers);
      l.inbound_nodes = rng.pick([[], [[[other.name, 0, 0, {}]]], [[['nowhere', 0, 0, {}]]], [[[other.name, 5, 3, {}]]], 'x']);
      return `layer '${l.name}' inbound → ${JSON.stringify(l.inbound_nodes)}`;
    }
    default:
      l.name = rng.pick(layers).name;
      return `layer renamed to a duplicate '${l.name}'`;
  }
}
