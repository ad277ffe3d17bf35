// Fidelity numbers (PSNR, SQNR, cosine, abs errors, top-k agreement) as streaming accumulators over many batches.
import { OndeviceError } from '../errors.ts';

/** How closely a candidate output follows the reference output, over every element seen. */
export interface Fidelity {
  /** Elements compared. */
  count: number;
  /** 20·log10(max|ref| / RMSE) in dB (Qualcomm AI Hub's definition); Infinity when identical. */
  psnr: number;
  /** 10·log10(Σref² / Σ(ref−cand)²) in dB; Infinity when identical. */
  sqnr: number;
  /** Σref·cand / (‖ref‖·‖cand‖) over all elements; 1 when both are all zero. */
  cosine: number;
  maxAbsError: number;
  meanAbsError: number;
  rmse: number;
  /** max|ref|, the PSNR peak. */
  peak: number;
}

/** Accumulates the sums behind {@link Fidelity} batch by batch, holding no outputs. Sums are float64. */
export class FidelityAccumulator {
  private count = 0;
  private sumRef2 = 0;
  private sumCand2 = 0;
  private sumDot = 0;
  private sumErr2 = 0;
  private sumAbsErr = 0;
  private maxAbsErr = 0;
  private peak = 0;

  /** Adds one batch of matching elements. */
  add(ref: ArrayLike<number>, cand: ArrayLike<number>): void {
    if (ref.length !== cand.length) throw new Error(`fidelity: ${ref.length} reference values vs ${cand.length} candidate values`);
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i], c = cand[i], e = r - c, ae = Math.abs(e), ar = Math.abs(r);
      this.sumRef2 += r * r;
      this.sumCand2 += c * c;
      this.sumDot += r * c;
      this.sumErr2 += e * e;
      this.sumAbsErr += ae;
      if (ae > this.maxAbsErr) this.maxAbsErr = ae;
      if (ar > this.peak) this.peak = ar;
    }
    this.count += ref.length;
  }

  /** The figures over everything added so far. */
  result(): Fidelity {
    const n = this.count;
    const rmse = n ? Math.sqrt(this.sumErr2 / n) : 0;
    const norms = Math.sqrt(this.sumRef2) * Math.sqrt(this.sumCand2);
    return {
      count: n,
      psnr: rmse === 0 ? Infinity : 20 * Math.log10(this.peak / rmse),
      sqnr: this.sumErr2 === 0 ? Infinity : 10 * Math.log10(this.sumRef2 / this.sumErr2),
      cosine: norms === 0 ? (this.sumRef2 === this.sumCand2 ? 1 : 0) : this.sumDot / norms,
      maxAbsError: this.maxAbsErr,
      meanAbsError: n ? this.sumAbsErr / n : 0,
      rmse,
      peak: this.peak,
    };
  }
}

/** How often a candidate picks the same class as the reference. */
export interface Agreement {
  count: number;
  /** Fraction of rows whose argmax is the same in both. */
  top1: number;
  /** Fraction of rows where the reference's top class is among the candidate's 5 highest scores. */
  top5: number;
}

/** Accumulates top-1/top-5 agreement between reference and candidate class scores ([rows × classes], row-major). */
export class AgreementAccumulator {
  private count = 0;
  private top1 = 0;
  private top5 = 0;

  /** Adds a batch of score rows with `classes` scores each. */
  add(ref: ArrayLike<number>, cand: ArrayLike<number>, classes: number): void {
    if (ref.length !== cand.length || classes <= 0 || ref.length % classes !== 0) {
      throw new Error(`agreement: ${ref.length} reference vs ${cand.length} candidate scores for ${classes} classes`);
    }
    for (let row = 0; row < ref.length; row += classes) {
      let refBest = row, candBest = row;
      for (let i = row + 1; i < row + classes; i++) {
        if (ref[i] > ref[refBest]) refBest = i;
        if (cand[i] > cand[candBest]) candBest = i;
      }
      if (refBest === candBest) this.top1++;
      let higher = 0;
      for (let i = row; i < row + classes; i++) if (cand[i] > cand[refBest]) higher++;
      if (higher < 5) this.top5++;
      this.count++;
    }
  }

  result(): Agreement {
    const n = this.count;
    return { count: n, top1: n ? this.top1 / n : 0, top5: n ? this.top5 / n : 0 };
  }
}

/**
 * Throws an OndeviceError naming the model file and output when `data` holds NaN or ±Infinity.
 */
export function checkFinite(data: ArrayLike<number>, model: string, output: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      throw new OndeviceError(`output '${output}' holds ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Infinity' : '-Infinity'} (element ${i})`, { file: model });
    }
  }
}
