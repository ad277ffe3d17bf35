// Probes a runtime's int8 kernels for uint8×int8 (U8S8) saturation by running a tiny QDQ MatMul built to overflow int16 pair sums.
import { writeTempModel } from '../formats/temp-model.ts';
import { ModelBuilder } from '../ir/builder.ts';
import { onnxReferenceRuntime } from '../runtimes/onnx-reference.ts';
import type { Runtime } from '../runtimes/runtime.ts';

const K = 64;
const N = 4;
const OUT_SCALE = 16384;
const probes = new Map<string, Promise<boolean | undefined>>();

/**
 * The probe: x (uint8 255 after QuantizeLinear) × W (int8 127) over K = 64, requantized to uint8 at scale 16384.
 * Exact: 255·127·64 / 16384 → 127. A kernel that multiplies with VPMADDUBSW (x86 without VNNI) clips each pair sum
 * 2·255·127 = 64,770 to 32,767 and gives 64.
 */
function probeModel() {
  const b = new ModelBuilder({ opset: 13, graphName: 'u8s8_probe' });
  const one = b.initializer('one', 'float32', [], new Float32Array([1]));
  const zu = b.initializer('zu', 'uint8', [], new Uint8Array([0]));
  const zs = b.initializer('zs', 'int8', [], new Int8Array([0]));
  const x = b.op('DequantizeLinear', [b.op('QuantizeLinear', [b.input('x', 'float32', [1, K]), one, zu]), one, zu]);
  const w = b.op('DequantizeLinear', [b.initializer('w', 'int8', [K, N], new Int8Array(K * N).fill(127)), one, zs]);
  const scale = b.initializer('out_scale', 'float32', [], new Float32Array([OUT_SCALE]));
  b.op('DequantizeLinear', [b.op('QuantizeLinear', [b.op('MatMul', [x, w]), scale, zu]), scale, zu], {}, { output: 'y' });
  b.output('y', 'float32', [1, N]);
  return b.build();
}

async function probeOnce(runtime: Runtime): Promise<boolean | undefined> {
  const temp = await writeTempModel(probeModel(), 'u8s8-probe.onnx');
  try {
    const feeds = { x: { dtype: 'float32' as const, dims: [1, K], data: new Float32Array(K).fill(255) } };
    const values: number[] = [];
    for (const r of [onnxReferenceRuntime, runtime]) {
      const session = await r.load(temp.path, { threads: 1 });
      try {
        values.push((await session.run(feeds)).y.data[0] as number);
      } finally {
        await session.release();
      }
    }
    return values[1] < values[0] * 0.75;
  } catch {
    return undefined;
  } finally {
    temp.dispose();
  }
}

/**
 * Whether `runtime`'s U8S8 kernels saturate on this host: measured, not inferred from CPU flags (which emulators and
 * VMs may misreport). Cached per runtime for the process; undefined when the probe cannot run.
 */
export function u8s8Saturates(runtime: Runtime): Promise<boolean | undefined> {
  let p = probes.get(runtime.name);
  if (!p) probes.set(runtime.name, (p = runtime.formats.includes('onnx') ? probeOnce(runtime) : Promise.resolve(undefined)));
  return p;
}
