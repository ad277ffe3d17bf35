// Browser side of the 'litert' runtime: loads LiteRT.js from the local server, holds compiled models, runs them.
import { loadLiteRt, loadAndCompile, Tensor } from '/litert/core/dist/index.js';

const TYPED = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array };
const models = new Map();
let ready;

/** Views raw bytes as the typed array LiteRT.js takes for `dtype`. */
function typed(buffer, dtype) {
  const Ctor = TYPED[dtype];
  if (!Ctor) throw new Error(`LiteRT.js cannot take ${dtype} tensors`);
  return new Ctor(buffer);
}

/** Decodes base64 into an ArrayBuffer. */
function fromBase64(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

/** Encodes a typed array's bytes as base64. */
function toBase64(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function details(list) {
  return list.map((d) => ({ name: d.name, index: d.index, dtype: d.dtype, shape: Array.from(d.shape) }));
}

window.ondeviceLiteRt = {
  /** Loads LiteRT's wasm (once per page); `threads` > 1 picks the threaded build. */
  init(wasmUrl, threads) {
    ready ??= loadLiteRt(wasmUrl, { threads: threads > 1 }).then(() => true);
    return ready;
  },

  /** Fetches and compiles a model on the CPU (wasm/XNNPACK); returns its input/output details. */
  async load(id, modelUrl, threads) {
    await ready;
    const response = await fetch(modelUrl);
    if (!response.ok) throw new Error(`cannot fetch the model: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const options = { accelerator: 'wasm' };
    if (threads > 1) options.cpuOptions = { numThreads: threads };
    const t0 = performance.now();
    const model = await loadAndCompile(bytes, options);
    const compileMs = performance.now() - t0;
    try {
      const info = { inputs: details(model.getInputDetails()), outputs: details(model.getOutputDetails()), compileMs };
      models.set(id, model);
      return info;
    } catch (e) {
      model.delete();
      throw e;
    }
  },

  /**
   * Runs a model. `feeds` are in input order, each { dtype, dims, b64 } or { dtype, dims, url } (raw
   * bytes the local server holds). Outputs listed in `want` come back in output order as base64
   * (others as null). `runMs` is the time model.run took in this page.
   */
  async run(id, feeds, want) {
    const model = models.get(id);
    if (!model) throw new Error(`no model ${id} in the page`);
    const tensors = [];
    let outputs = [];
    try {
      for (const f of feeds) {
        const buffer = f.url !== undefined ? await (await fetch(f.url)).arrayBuffer() : fromBase64(f.b64);
        tensors.push(new Tensor(typed(buffer, f.dtype), f.dims));
      }
      const t0 = performance.now();
      outputs = await model.run(tensors);
      const runMs = performance.now() - t0;
      const result = [];
      for (let i = 0; i < outputs.length; i++) {
        if (!want.includes(i)) {
          result.push(null);
          continue;
        }
        const out = outputs[i];
        const host = out.accelerator === 'wasm' ? out : await out.moveTo('wasm');
        outputs[i] = host;
        const array = host.toTypedArray();
        result.push({ dtype: host.type.dtype, dims: Array.from(host.type.layout.dimensions), b64: toBase64(array) });
      }
      return { outputs: result, runMs };
    } finally {
      for (const t of tensors) t.delete();
      for (const t of outputs) if (!t.deleted) t.delete();
    }
  },

  /** Deletes a compiled model. */
  release(id) {
    models.get(id)?.delete();
    models.delete(id);
  },
};
