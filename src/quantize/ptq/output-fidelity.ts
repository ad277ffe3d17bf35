// The output PSNR of quantized copies of a model against the float model on calibration data: how PTQ steps compare candidates end to end.
import type { DataSource } from '../../data/source.ts';
import type { Model } from '../../ir/graph.ts';
import type { Progress } from '../../util/progress.ts';
import { observeValues } from '../calibrate/observe.ts';

/** Options of {@link OutputFidelity}. */
export interface OutputFidelityOptions {
  limit: number;
  batchSize?: number;
  progress?: Progress;
}

/**
 * The float model's outputs on the data, kept in memory, against which quantized copies are scored. Copies run with
 * exact Q/DQ semantics (`onnx-reference`): the score describes the model, not this host's integer kernels.
 */
export class OutputFidelity {
  private reference: Map<string, Float32Array[]> | undefined;
  constructor(private readonly float: Model, private readonly source: DataSource, private readonly options: OutputFidelityOptions) {}

  private async outputsOf(model: Model, runtime: string, label: string): Promise<Map<string, Float32Array[]>> {
    const names = model.graph.outputs.map((o) => o.name);
    const out = new Map<string, Float32Array[]>(names.map((n) => [n, []]));
    await observeValues(model, this.source, names, (name, t) => {
      if (t.data instanceof Float32Array) out.get(name)!.push(Float32Array.from(t.data));
    }, { limit: this.options.limit, runtime, label, ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}), ...(this.options.progress ? { progress: this.options.progress } : {}) });
    return out;
  }

  /** Lowest PSNR (dB, peak = the float output's range) over the float32 outputs of `quantized`. */
  async psnr(quantized: Model, label = 'scoring a candidate'): Promise<number> {
    this.reference ??= await this.outputsOf(this.float, 'ort-node', 'float outputs');
    const got = await this.outputsOf(quantized, 'onnx-reference', label);
    let worst = Infinity;
    for (const [name, batches] of this.reference) {
      const other = got.get(name);
      if (!other || other.length !== batches.length) continue;
      let lo = Infinity, hi = -Infinity, se = 0, n = 0;
      batches.forEach((ref, b) => {
        const q = other[b];
        for (let i = 0; i < ref.length; i++) {
          if (ref[i] < lo) lo = ref[i];
          if (ref[i] > hi) hi = ref[i];
          se += (ref[i] - q[i]) ** 2;
        }
        n += ref.length;
      });
      if (!n) continue;
      const psnr = se === 0 ? Infinity : 10 * Math.log10(((hi - lo) || 1) ** 2 / (se / n));
      worst = Math.min(worst, psnr);
    }
    return worst;
  }
}
