// ReportData: everything the HTML report shows, filled by evaluate/profile/demo and rendered by writeHtmlReport.

/** How a variant fared against its gates; colours the verdict cell. */
export type VerdictLevel = 'pass' | 'warn' | 'fail';

/** One model variant (fp32 reference, fp16, int8, …) with whatever was measured for it. */
export interface ReportVariant {
  /** Short label, e.g. 'int8'. Unique within the report. */
  name: string;
  /** Model file size, bytes. */
  fileBytes: number;
  /** The reference the others are compared with (default: the first variant). */
  reference?: boolean;
  /** Top-1 accuracy, 0–1, where labels exist. */
  accuracy?: number;
  /** Top-5 accuracy, 0–1. */
  top5?: number;
  /** PSNR of its outputs against the reference, dB (Infinity for identical outputs). */
  psnrDb?: number;
  /** Median latency, ms (default: the median of latencySamplesMs). */
  latencyP50Ms?: number;
  /** Every timed run's latency, ms: drawn as this variant's histogram. */
  latencySamplesMs?: number[];
  /** Short verdict text, e.g. 'good (PSNR ≥ 30 dB)'. */
  verdict?: string;
  verdictLevel?: VerdictLevel;
}

/** SQNR of one layer's output, quantized against float. */
export interface LayerSqnr {
  /** Tensor or node name. */
  name: string;
  op?: string;
  sqnrDb: number;
}

/** Per-layer error analysis of one variant. */
export interface PerLayerData {
  variant: string;
  /** In graph order. */
  layers: LayerSqnr[];
  /** Layers to highlight (e.g. the proposed --exclude list); default: the 3 lowest SQNR. */
  highlight?: string[];
}

/** A classifier's confusion matrix: matrix[label][predicted] counts. */
export interface ConfusionData {
  variant: string;
  matrix: number[][];
  /** Class names (default: 0…n-1). */
  labels?: string[];
}

/** Everything the HTML report shows. Charts whose data is missing are left out. */
export interface ReportData {
  title: string;
  /** One line under the title, e.g. model, dataset and runtime. */
  subtitle?: string;
  /** ISO timestamp shown in the footer (default: now). */
  generatedAt?: string;
  variants: ReportVariant[];
  perLayer?: PerLayerData;
  confusion?: ConfusionData;
  /** Extra lines shown under the summary table. */
  notes?: string[];
  /** Where the figures were measured: the host CPU and its int8-relevant features, and each runtime with version and threads. */
  environment?: { host: string; runtimes: string[] };
}
