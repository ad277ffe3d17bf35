// The exact (reference) execution of ONNX semantics: onnxruntime-node with every graph optimisation off.
import { ortNodeRuntime } from './ort-node.ts';
import type { Runtime, RuntimeSession, SessionOptions } from './runtime.ts';

/**
 * `onnx-reference`: runs a model as its ONNX graph says, node by node. QuantizeLinear/DequantizeLinear run as written
 * (float arithmetic, round half to even, saturation) and no Q/DQ group is fused into an integer kernel, so a QDQ
 * model's output is its own quantization error — the same on every host CPU, to float rounding — not the error of
 * the host's int8 kernels (e.g. uint8×int8 saturation on x86 without VNNI). Slower than `ort-node`.
 */
export const onnxReferenceRuntime: Runtime = {
  name: 'onnx-reference',
  formats: ['onnx'],
  available: () => ortNodeRuntime.available(),
  async load(modelPath: string, options: SessionOptions = {}): Promise<RuntimeSession> {
    const session = await ortNodeRuntime.load(modelPath, { ...options, optimization: 'disabled' });
    return Object.assign(session, { info: { ...session.info, runtime: 'onnx-reference' } });
  },
};
