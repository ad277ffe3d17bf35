// Runs a TF.js graph model in TF.js and, lifted to ONNX, in onnxruntime on the same feeds; returns both outputs.
import { dirname, join } from 'node:path';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { readTfjs } from '../../src/formats/tfjs/index.ts';
import type { HostTensor } from '../../src/ir/host-tensor.ts';
import { liftTfjs, type TfjsLiftReport } from '../../src/passes/lift-tfjs/index.ts';
import type { Model } from '../../src/ir/graph.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { Runtime } from '../../src/runtimes/runtime.ts';
import { tfjsRuntime } from '../../src/runtimes/tfjs.ts';

/** One output in both engines. */
export interface Compared {
  name: string;
  want: HostTensor;
  got: HostTensor;
  /** PSNR of got against want (Infinity when equal, −Infinity when the shapes differ). */
  psnr: number;
  maxAbsError: number;
}

async function run(runtime: Runtime, file: string, feeds: Record<string, HostTensor>, outputs: string[]): Promise<Record<string, HostTensor>> {
  const session = await runtime.load(file, { threads: 1 });
  try {
    return await session.run(feeds, outputs);
  } finally {
    await session.release();
  }
}

/**
 * Lifts `modelJson` (refusing any unliftable node), writes `lifted.onnx` beside it, runs both on `feeds` and compares
 * `outputs`. The lifted model and the lift report are returned for structural checks.
 */
export async function liftAndCompare(modelJson: string, feeds: Record<string, HostTensor>, outputs: string[]): Promise<{ compared: Compared[]; model: Model; report: TfjsLiftReport }> {
  const { model, report } = liftTfjs(await readTfjs(modelJson));
  if (report.unliftable.length) throw new Error(`unliftable: ${report.unliftable.map((u) => `${u.node} (${u.op}): ${u.why}`).join('; ')}`);
  const onnx = join(dirname(modelJson), 'lifted.onnx');
  await writeModel(model, onnx);
  const want = await run(tfjsRuntime, modelJson, feeds, outputs);
  const got = await run(ortNodeRuntime, onnx, feeds, outputs);
  const compared = outputs.map((name) => {
    if (want[name].dims.join() !== got[name].dims.join()) return { name, want: want[name], got: got[name], psnr: -Infinity, maxAbsError: Infinity };
    const f = new FidelityAccumulator();
    const asNumbers = (t: HostTensor): ArrayLike<number> => (t.data instanceof BigInt64Array ? Array.from(t.data, Number) : t.data as ArrayLike<number>);
    f.add(asNumbers(want[name]), asNumbers(got[name]));
    const r = f.result();
    return { name, want: want[name], got: got[name], psnr: r.psnr, maxAbsError: r.maxAbsError };
  });
  return { compared, model, report };
}
