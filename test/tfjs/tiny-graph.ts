// Hand-written TF.js graph models for op-level tests: nodes as TensorFlow writes them, Consts as weights in one shard.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type AttrJson = Record<string, unknown>;
interface NodeJson { name: string; op: string; input: string[]; attr: Record<string, AttrJson> }
type WeightDtype = 'float32' | 'int32' | 'bool';

const TF_TYPE: Record<WeightDtype, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };

/** AttrValue JSON builders, as the TF.js converter writes them. */
export const attr = {
  i: (v: number): AttrJson => ({ i: String(v) }),
  f: (v: number): AttrJson => ({ f: v }),
  b: (v: boolean): AttrJson => ({ b: v }),
  s: (v: string): AttrJson => ({ s: Buffer.from(v).toString('base64') }),
  type: (v: string): AttrJson => ({ type: v }),
  ints: (v: number[]): AttrJson => ({ list: { i: v.map(String) } }),
  strings: (v: string[]): AttrJson => ({ list: { s: v.map((x) => Buffer.from(x).toString('base64')) } }),
};

/** Builds a graph model: inputs, constants (stored as weights) and ops; `write` saves model.json + one shard. */
export class TinyGraph {
  private readonly nodes: NodeJson[] = [];
  private readonly weights: { name: string; dtype: WeightDtype; shape: number[]; bytes: Uint8Array }[] = [];
  private readonly inputs: { name: string; dtype: string; shape: number[] }[] = [];

  /** A Placeholder. */
  input(name: string, shape: number[], dtype = 'DT_FLOAT'): string {
    this.inputs.push({ name, dtype, shape });
    this.nodes.push({ name, op: 'Placeholder', input: [], attr: { dtype: attr.type(dtype), shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
    return name;
  }

  /** A Const whose value is a weight. */
  const(name: string, values: ArrayLike<number>, shape: number[], dtype: WeightDtype = 'float32'): string {
    const data = dtype === 'float32' ? Float32Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values);
    this.weights.push({ name, dtype, shape, bytes: new Uint8Array(data.buffer) });
    this.nodes.push({ name, op: 'Const', input: [], attr: { dtype: attr.type(TF_TYPE[dtype]), value: { tensor: { dtype: TF_TYPE[dtype], tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } } });
    return name;
  }

  /** An int32 vector (or scalar with `shape` []) constant. */
  ints(name: string, values: number[], shape = [values.length]): string {
    return this.const(name, values, shape, 'int32');
  }

  /** An op node; `T` defaults to DT_FLOAT. Returns its name (its output 0). */
  op(name: string, op: string, inputs: string[], attrs: Record<string, AttrJson> = {}): string {
    this.nodes.push({ name, op, input: inputs, attr: { T: attr.type('DT_FLOAT'), ...attrs } });
    return name;
  }

  /** Writes model.json (signature outputs = `outputs`) and its shard into a fresh temp folder; returns the model.json path. */
  write(outputs: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'ondevice-tiny-tfjs-'));
    const shard = Buffer.concat(this.weights.map((w) => w.bytes));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), shard);
    const tensorInfo = (name: string, dtype?: string, shape?: number[]): AttrJson => ({ name, ...(dtype ? { dtype } : {}), ...(shape ? { tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } : {}) });
    const json = {
      format: 'graph-model', generatedBy: 'ondevice tests', convertedBy: 'hand-written',
      modelTopology: { node: this.nodes, library: {}, versions: { producer: 1395 } },
      signature: {
        inputs: Object.fromEntries(this.inputs.map((i) => [`${i.name}:0`, tensorInfo(`${i.name}:0`, i.dtype, i.shape)])),
        outputs: Object.fromEntries(outputs.map((o) => {
          const name = /:\d+$/.test(o) ? o : `${o}:0`;
          return [name, tensorInfo(name)];
        })),
      },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype })) }],
    };
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify(json));
    return file;
  }
}
