// Exact execution beside the runtime: a QDQ candidate's own quantization error, the same on every host, and the error the host's kernels add.
import type { Model } from '../ir/graph.ts';
import type { RuntimeInfo } from '../runtimes/runtime.ts';
import type { ClassifierAccuracy } from './classify.ts';
import type { Fidelity } from './metrics.ts';

/** Fidelity of one output, named. */
export type NamedFidelity = Fidelity & { output: string };

/**
 * A quantized candidate run by `onnx-reference` (ONNX semantics: Q/DQ in float, no fused integer kernels) next to
 * its runtime. Its figures are the model's own error and decide the verdict, so the verdict is the same on any CPU.
 */
export interface ExactExecution {
  runtime: RuntimeInfo;
  /** Accuracy of the exact execution, where the data is labelled. */
  accuracy?: ClassifierAccuracy;
  /** Per output, against the reference model (with top-k agreement on the class output). */
  fidelity: (NamedFidelity & { agreement?: import('./metrics.ts').Agreement })[];
  /** Per output: the runtime's output against the exact execution's — the error the host's kernels add. */
  kernelError: NamedFidelity[];
  /** Set when the runtime loses fidelity the model does not lose, naming the cause and the fix. */
  warning?: string;
}

/** Warn when the runtime's worst PSNR is this many dB below the exact execution's. */
export const KERNEL_WARN_DB = 3;

/** True when a model quantizes activations (QuantizeLinear on a computed value): its runtime may fuse integer kernels. */
export function quantizesActivations(model: Model): boolean {
  const g = model.graph;
  return g.nodes.some((n) => n.op === 'QuantizeLinear' && !g.initializers.has(n.inputs[0]));
}

/** Element types of the activations a model quantizes (the zero points of its QuantizeLinear nodes; uint8 without one). */
export function activationTypesOf(model: Model): Set<string> {
  const g = model.graph;
  const types = new Set<string>();
  for (const n of g.nodes) {
    if (n.op !== 'QuantizeLinear' || g.initializers.has(n.inputs[0])) continue;
    const zp = n.inputs[2] ? g.initializers.get(n.inputs[2]) : undefined;
    types.add(zp?.dtype ?? 'uint8');
  }
  return types;
}

/** What the runtime measured against what the exact execution measured, for one candidate. */
export interface KernelComparison {
  runtime: RuntimeInfo;
  /** Worst PSNR against the reference model: on the runtime, and in the exact execution. */
  runtimePsnr: number;
  exactPsnr: number;
  /** The model quantizes activations to uint8. */
  uint8Activations: boolean;
  /** The runtime's U8S8 kernels saturate on this host (probed), or undefined when unknown. */
  u8s8Saturates: boolean | undefined;
}

/** The warning for a runtime that loses more than {@link KERNEL_WARN_DB} dB against the exact execution, or undefined. */
export function kernelWarning(k: KernelComparison): string | undefined {
  const loss = k.exactPsnr - k.runtimePsnr;
  if (!(loss > KERNEL_WARN_DB)) return undefined;
  const what = `${k.runtime.engine} ${k.runtime.version} gives PSNR ${k.runtimePsnr.toFixed(1)} dB on this host, ${loss.toFixed(1)} dB below the exact execution (${k.exactPsnr.toFixed(1)} dB)`;
  if (k.uint8Activations && k.u8s8Saturates) {
    return `${what}: its uint8×int8 (U8S8) kernels saturate int16 pair sums on this CPU (x86 without VNNI, confirmed by a probe). `
      + 'The model is fine: re-quantize with --target onnx (int8 activations, S8S8) for onnxruntime on x86, or run it on a CPU with VNNI or on ARM.';
  }
  return `${what}: this host's kernels add error the model itself does not have.`;
}
