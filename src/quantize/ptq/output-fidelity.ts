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

/** Examples scored at most: enough to rank candidates, bounded memory for models with large outputs. */
export const SCORED_EXAMPLES = 64;

/**
 * The float model's outputs on the data (at most {@link SCORED_EXAMPLES} examples), kept in memory, against which
 * quantized copies are scored batch by batch. Copies run with exact Q/DQ semantics (`onnx-reference`): the score
 * describes the model, not this host's integer kernels.
 */
export class OutputFidelity {
  private reference: Map<string, Float32Array[]> | undefined;
  constructor(private readonly float: Model, private readonly source: DataSource, private readonly options: OutputFidelityOptions) {}

  private async observe(model: Model, runtime: string, label: string, visit: (name: string, batch: number, data: Float32Array | undefined) => void): Promise<void> {
    const names = model.graph.outputs.map((o) => o.name);
    const seen = new Map<string, number>();
    await observeValues(model, this.source, names, (name, t) => {
      const b = seen.get(name) ?? 0;
      seen.set(name, b + 1);
      visit(name, b, t.data instanceof Float32Array ? t.data : undefined);
    }, { limit: Math.min(this.options.limit, SCORED_EXAMPLES), runtime, label, ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}), ...(this.options.progress ? { progress: this.options.progress } : {}) });
  }

  /**
   * Lowest PSNR (dB, peak = the float output's range) over the float32 outputs of `quantized`; −Infinity when an
   * output is missing, not float32 or not finite (such a candidate never wins).
   */
  async psnr(quantized: Model, label = 'scoring a candidate'): Promise<number> {
    if (!this.reference) {
      const ref = new Map<string, Float32Array[]>();
      await this.observe(this.float, 'ort-node', 'float outputs', (name, _b, data) => { if (data) ref.set(name, [...(ref.get(name) ?? []), Float32Array.from(data)]); });
      this.reference = ref;
    }
    const reference = this.reference;
    const acc = new Map<string, { se: number; n: number; batches: number }>([...reference.keys()].map((k) => [k, { se: 0, n: 0, batches: 0 }]));
    await this.observe(quantized, 'onnx-reference', label, (name, b, data) => {
      const ref = reference.get(name)?.[b];
      const a = acc.get(name);
      if (!ref || !a || !data || data.length !== ref.length) return;
      for (let i = 0; i < ref.length; i++) a.se += (ref[i] - data[i]) ** 2;
      a.n += ref.length;
      a.batches++;
    });
    let worst = Infinity;
    for (const [name, batches] of reference) {
      const a = acc.get(name)!;
      if (a.batches !== batches.length || !Number.isFinite(a.se)) return -Infinity;
      let lo = Infinity, hi = -Infinity;
      for (const ref of batches) for (let i = 0; i < ref.length; i++) { if (ref[i] < lo) lo = ref[i]; if (ref[i] > hi) hi = ref[i]; }
      const psnr = a.se === 0 ? Infinity : 10 * Math.log10(((hi - lo) || 1) ** 2 / (a.se / a.n));
      worst = Math.min(worst, psnr);
    }
    return reference.size ? worst : -Infinity;
  }
}
