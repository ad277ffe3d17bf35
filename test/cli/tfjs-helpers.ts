// Shared by the TF.js CLI tests: run the CLI, count what a model.json declares, run a model file, compare outputs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import type { HostTensor } from '../../src/ir/host-tensor.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import type { Runtime } from '../../src/runtimes/runtime.ts';
import { digitScenes } from '../support/scenes.ts';

export const ESRGAN_X2 = join(PACKAGE_ROOT, 'node_modules/@upscalerjs/esrgan-slim/models/x2/model.json');
export const HANDTRACK = join(PACKAGE_ROOT, 'node_modules/handtrackjs/models/webmodel/ssd320fpnlite');

/** Runs `ondevice ARGS…` as a user does. */
export function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ManifestJson { format?: string; modelTopology: { node?: { op: string }[]; model_config?: { config: { layers: { class_name: string }[] } } }; weightsManifest: { paths: string[]; weights: { dtype: string; quantization?: { dtype: string } }[] }[] }

/** What the model.json itself says: kind, weights by storage type, ops or layer classes — counted here, for inspect to match. */
export function manifestFacts(file: string) {
  const json = JSON.parse(readFileSync(file, 'utf8')) as ManifestJson;
  const storage: Record<string, number> = {};
  for (const w of json.weightsManifest.flatMap((g) => g.weights)) storage[w.quantization?.dtype ?? w.dtype] = (storage[w.quantization?.dtype ?? w.dtype] ?? 0) + 1;
  const classes = json.modelTopology.node
    ? json.modelTopology.node.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.op)
    : json.modelTopology.model_config!.config.layers.filter((l) => l.class_name !== 'InputLayer').map((l) => l.class_name);
  const histogram: Record<string, number> = {};
  for (const c of classes) histogram[c] = (histogram[c] ?? 0) + 1;
  return { kind: json.format ?? (json.modelTopology.node ? 'graph-model' : 'layers-model'), storage, histogram };
}

/** Runs one model file in a runtime on `feeds`, fetching `outputs`. */
export async function run(runtime: Runtime, file: string, feeds: Record<string, HostTensor>, outputs?: string[]): Promise<Record<string, HostTensor>> {
  const session = await runtime.load(file, { threads: 1 });
  try {
    return await session.run(feeds, outputs);
  } finally {
    await session.release();
  }
}

/** PSNR of `got` against `want` (same dims asserted first). */
export function psnr(want: HostTensor, got: HostTensor): number {
  assert.deepEqual(got.dims, want.dims);
  const acc = new FidelityAccumulator();
  acc.add(want.data as Float32Array, got.data as Float32Array);
  return acc.result().psnr;
}

/** Real-looking NHWC images in [0, 1] (or 0..255 as uint8). */
export function images(n: number, h: number, w: number, uint8 = false): HostTensor {
  const data = digitScenes('eval', n, h, w, (v) => (uint8 ? Math.round(v) : v / 255), true);
  return uint8 ? { dtype: 'uint8', dims: [n, h, w, 3], data: Uint8Array.from(data) } : { dtype: 'float32', dims: [n, h, w, 3], data };
}

/**
 * Inspects each model.json with --json and checks it against what the file declares (kind, weight storage, every op or
 * layer class of the file in the histogram); returns the models that failed, with the CLI's message.
 */
export function inspectFailures(models: readonly string[]): string[] {
  const failures: string[] = [];
  for (const file of models) {
    const r = ondevice('inspect', file, '--json');
    if (r.code !== 0) {
      failures.push(r.stderr.trim());
      continue;
    }
    const s = JSON.parse(r.stdout);
    const want = manifestFacts(file);
    assert.equal(s.format, 'tfjs');
    assert.equal(s.tfjs.kind, want.kind, file);
    assert.deepEqual(s.tfjs.weightStorage, want.storage, file);
    for (const [op, n] of Object.entries(want.histogram)) {
      const key = Object.keys(s.ops).find((k) => k === op || k.endsWith(`.${op}`) || k.endsWith(`/${op}`));
      assert.ok(key, `${file}: ${op} in ${Object.keys(s.ops).join(', ')}`);
      assert.ok(s.ops[key] >= n, `${file}: ${op} ×${s.ops[key]}, the model.json has ${n}`);
    }
    assert.ok(s.inputs.length >= 1 && s.outputs.length >= 1, file);
  }
  return failures;
}
