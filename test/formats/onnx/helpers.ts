// Shared test helpers: seeded data, temp folders, and running a model file in onnxruntime-node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
export { seededFloats } from '../../../src/util/random.ts';


/** A fresh temp folder and its cleanup. */
export function tempDir(prefix = 'ondevice-onnx-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a model file once and returns each output as raw bytes (plus dims), keyed by output name. */
export async function runModel(path: string, feeds: Record<string, ort.Tensor>): Promise<Map<string, { dims: readonly number[]; bytes: Uint8Array }>> {
  const session = await ort.InferenceSession.create(path);
  try {
    const out = await session.run(feeds);
    const result = new Map<string, { dims: readonly number[]; bytes: Uint8Array }>();
    for (const name of session.outputNames) {
      const t = out[name];
      const data = t.data as ArrayBufferView;
      result.set(name, { dims: t.dims, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() });
    }
    return result;
  } finally {
    await session.release();
  }
}

/** Asserts that an async call rejects with an error of `type` whose file is `file` and whose text names it. */
export async function rejectsNamingFile(call: () => Promise<unknown>, type: new (...a: never[]) => Error, file: string, pattern?: RegExp): Promise<Error> {
  let caught: unknown;
  try {
    await call();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof type)) throw new Error(`expected ${type.name}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  const err = caught as Error & { file?: string };
  if (err.file !== file) throw new Error(`error names file '${err.file}', expected '${file}'`);
  if (!String(err).includes(file)) throw new Error(`error text '${String(err)}' does not name the file`);
  if (String(err).includes('\n')) throw new Error(`error text is not one line: ${String(err)}`);
  if (pattern && !pattern.test(err.message)) throw new Error(`error '${err.message}' does not match ${pattern}`);
  return err;
}
