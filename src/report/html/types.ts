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

/** Fidelity of one execution of a candidate against the reference. */
export interface FidelityFigures {
  /** Who computed the figures: 'exact Q/DQ' (the exact execution) or the runtime's name, e.g. 'ort-node'. */
  source: string;
  /** Per output: PSNR and SQNR against the reference's output, dB (Infinity for identical outputs). */
  outputs: { output: string; psnrDb: number; sqnrDb: number }[];
  /** Share of examples whose top class is the reference's, 0–1 (only for a class-score output). */
  top1Agreement?: number;
  /** Share of examples whose reference top class is among the candidate's 5 highest scores, 0–1. */
  top5Agreement?: number;
}

/** A candidate's fidelity to the reference: the figures its verdict judges, and the runtime's beside them when those differ. */
export interface CandidateFidelity {
  /** Index of the candidate in `ReportData.variants` (so renaming a variant renames its charts). */
  variant: number;
  /** The judged figures: the exact Q/DQ execution's for a quantized candidate that has one, else the runtime's. */
  judged: FidelityFigures;
  /** The runtime's own figures, when the judged ones are the exact execution's. */
  runtime?: FidelityFigures;
  /** The PSNR gate of its verdict, dB, drawn as a line. */
  minPsnrDb?: number;
}

/** Per-class recall (share of each true class predicted right) of every labelled variant. */
export interface ClassRecallData {
  /** Names of the classes shown, in order. */
  classes: string[];
  /** Examples of each class shown. */
  examples: number[];
  /** One series per variant: its index in `ReportData.variants` and its recall per class (0–1; null where it has none). */
  series: { variant: number; recall: (number | null)[] }[];
  /** Said under the chart, e.g. when only the lowest-recall classes are shown. */
  note?: string;
}

/** A plain table section (e.g. `evaluate --task` metrics): title, header and rows of text. */
export interface ReportTable {
  title: string;
  head: string[];
  rows: string[][];
  caption?: string;
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
  /** Per-class recall of each variant, where the data is labelled. */
  classRecall?: ClassRecallData;
  /** Per candidate: PSNR/SQNR per output and top-1 agreement with the reference (shown with or without labels). */
  fidelity?: CandidateFidelity[];
  /** Extra lines shown under the summary table. */
  notes?: string[];
  /** Plain tables shown after the summary (task metrics). */
  tables?: ReportTable[];
  /** Also draw PSNR against size for the variants with a PSNR (a search's candidates, where accuracy is not measured). */
  psnrScatter?: boolean;
  /** Where the figures were measured: the host CPU and its int8-relevant features, and each runtime with version and threads. */
  environment?: { host: string; runtimes: string[] };
}
