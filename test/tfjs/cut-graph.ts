// Cuts a TF.js graph model: an inner tensor becomes a Placeholder, chosen tensors the outputs, the rest is pruned.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

interface NodeJson { name: string; op: string; input?: string[]; attr?: Record<string, unknown>; device?: string }
interface ModelJson { modelTopology: { node: NodeJson[] }; signature?: { inputs?: Record<string, unknown>; outputs?: Record<string, { name: string }> } }

/** Where to cut: the node whose output 0 becomes an input, its shape and type, and the tensors to output. */
export interface Cut {
  /** Node name; its output 0 is fed instead of computed. */
  input: string;
  shape: number[];
  dtype?: string;
  /** Output tensors as TensorFlow names (`X` or `X:k`). */
  outputs: string[];
}

const nodeOf = (ref: string): string => ref.replace(/^\^/, '').replace(/:\d+$/, '');

/**
 * Writes the cut model (model.json + copies of the shards) to a fresh temp folder and returns the model.json path.
 * Nodes the outputs do not need are dropped, and control inputs to dropped nodes with them.
 */
export function cutGraph(modelJson: string, cut: Cut): string {
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as ModelJson;
  const byName = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  const cutNode = byName.get(cut.input);
  if (!cutNode) throw new Error(`no node '${cut.input}' in ${modelJson}`);
  const dtype = cut.dtype ?? 'DT_FLOAT';
  const tensorShape = { dim: cut.shape.map((d) => ({ size: String(d) })) };
  byName.set(cut.input, { name: cut.input, op: 'Placeholder', attr: { dtype: { type: dtype }, shape: { shape: tensorShape } } });
  const keep = new Set<string>();
  const visit = (name: string): void => {
    if (keep.has(name)) return;
    const n = byName.get(name);
    if (!n) throw new Error(`no node '${name}' in ${modelJson}`);
    keep.add(name);
    for (const i of n.input ?? []) if (!i.startsWith('^')) visit(nodeOf(i));
  };
  for (const o of cut.outputs) visit(nodeOf(o));
  json.modelTopology.node = [...keep].map((name) => {
    const n = byName.get(name)!;
    return { ...n, input: (n.input ?? []).filter((i) => !i.startsWith('^') || keep.has(nodeOf(i))) };
  });
  const original = json.signature?.outputs ?? {};
  json.signature = {
    inputs: { [`${cut.input}:0`]: { name: `${cut.input}:0`, dtype, tensorShape } },
    outputs: Object.fromEntries(cut.outputs.map((o) => {
      const name = /:\d+$/.test(o) ? o : `${o}:0`;
      return [name, original[name] ?? { name }];
    })),
  };
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-cut-'));
  for (const f of readdirSync(dirname(modelJson))) if (f !== 'model.json') copyFileSync(join(dirname(modelJson), f), join(dir, f));
  const out = join(dir, 'model.json');
  writeFileSync(out, JSON.stringify(json));
  return out;
}
