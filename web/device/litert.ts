// LiteRT.js as a page backend (the web app's Backend contract) for .tflite models: its wasm served by the hub under /litert/wasm/.
import type { Backend, ModelSession } from '../app/runtime/backend.ts';

type LiteRt = typeof import('@litertjs/core');
let ready: Promise<LiteRt> | undefined;

/** LiteRT.js with its wasm loaded once per page (single-threaded build). */
function liteRt(): Promise<LiteRt> {
  ready ??= import('@litertjs/core').then(async (m) => {
    await m.loadLiteRt(new URL('/litert/wasm/', location.href).href, { threads: false });
    return m;
  });
  ready.catch(() => (ready = undefined));
  return ready;
}

/** LiteRT.js on its CPU (XNNPACK) accelerator. */
export const liteRtBackend: Backend = {
  name: 'litert',
  formats: ['tflite'],
  async available() {
    if (typeof WebAssembly !== 'object') return 'this browser has no WebAssembly';
    try {
      await liteRt();
      return true;
    } catch (e) {
      return `LiteRT.js does not load: ${(e as Error).message}`;
    }
  },
  async load(bytes) {
    const m = await liteRt();
    const model = await m.loadAndCompile(bytes, { accelerator: 'wasm' });
    const inputs = model.getInputDetails(), outputs = model.getOutputDetails();
    type LiteTensor = InstanceType<LiteRt['Tensor']>;
    /** Runs the model on tensors in input order; returns every output as float32 in output order. */
    const runAll = async (feeds: { data: Float32Array; dims: number[] }[]): Promise<{ data: Float32Array; dims: number[] }[]> => {
      const tensors = feeds.map((f) => new m.Tensor(f.data, f.dims));
      let results: LiteTensor[] = [];
      try {
        results = await model.run(tensors);
        const out = [];
        for (let i = 0; i < results.length; i++) {
          const host = results[i].accelerator === 'wasm' ? results[i] : await results[i].moveTo('wasm');
          results[i] = host;
          out.push({ data: Float32Array.from(host.toTypedArray() as ArrayLike<number>), dims: Array.from(host.type.layout.dimensions) });
        }
        return out;
      } finally {
        for (const t of tensors) t.delete();
        for (const t of results) if (!t.deleted) t.delete();
      }
    };
    const session: ModelSession = {
      backend: 'litert (LiteRT.js, wasm)',
      inputName: inputs[0].name,
      outputName: outputs[0].name,
      inputNames: inputs.map((d) => d.name),
      outputNames: outputs.map((d) => d.name),
      async run(input, dims) {
        return (await runAll([{ data: input, dims }]))[0].data;
      },
      async runFeeds(feeds) {
        const ordered = inputs.map((d) => {
          const f = feeds[d.name];
          if (!f) throw new Error(`no feed for input '${d.name}'`);
          if (f.dtype !== 'float32') throw new Error(`LiteRT.js page backend feeds float32 only, not ${f.dtype} ('${d.name}')`);
          return { data: f.data as Float32Array, dims: f.dims };
        });
        const outs = await runAll(ordered);
        return Object.fromEntries(outputs.map((d, i) => [d.name, outs[i]]));
      },
      async release() {
        model.delete();
      },
    };
    return session;
  },
};
