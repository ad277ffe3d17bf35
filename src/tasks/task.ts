// Task templates as data: what a model's outputs mean (classify, detect, segment, ocr, audio) for the app and for evaluate.
// DOM- and Node-free: the browser app (web/app) and evaluation import the same code.

/** The tasks an app template and `evaluate` know. */
export const TASK_KINDS = ['classify', 'detect', 'segment', 'ocr', 'audio'] as const;
/** A task kind. */
export type TaskKind = (typeof TASK_KINDS)[number];

/** The values `parseTask` fills in for fields a task file leaves out (docs/tasks.md lists them); post-processing uses the same when a template built in code leaves them out. */
export const TASK_DEFAULTS = {
  classify: { topK: 5 },
  detect: { boxFormat: 'yxyx', scoreThreshold: 0.5, iouThreshold: 0.3, maxDetections: 100 },
  segment: { activation: 'none', threshold: 0.5, effect: 'blur' },
  ocr: { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, recHeight: 48, maxWidth: 1280 },
  audio: { threshold: 0.5 },
} as const;

/** Classification: which output holds the scores, whether they are logits, how many to show. */
export interface ClassifyTask {
  task: 'classify';
  output?: string;
  /** Apply softmax before showing (the output holds logits). Default: detect (values outside [0, 1] or not summing to 1). */
  softmax?: boolean;
  topK?: number;
  /** A labels file, one class per line (relative to the task file). */
  labels?: string;
}

/** SSD anchors generated as MediaPipe's SsdAnchorsCalculator does (its options, as data). */
export interface SsdAnchorOptions {
  inputSizeHeight: number;
  inputSizeWidth: number;
  numLayers: number;
  minScale: number;
  maxScale: number;
  anchorOffsetX: number;
  anchorOffsetY: number;
  strides: number[];
  aspectRatios: number[];
  fixedAnchorSize?: boolean;
  interpolatedScaleAspectRatio?: number;
  reduceBoxesInLowestLayer?: boolean;
}

/** Detection: output layout, anchors (raw SSD heads) and post-processing. */
export interface DetectTask {
  task: 'detect';
  /**
   * 'boxes-scores': outputs already hold boxes [N,4] (ymin, xmin, ymax, xmax or as `boxFormat` says) and scores [N] or [N,C];
   * 'ssd-anchors': raw regressors [1,N,4+2K] and classificators [1,N,C] decoded against anchors (BlazeFace, SSD).
   */
  layout: 'boxes-scores' | 'ssd-anchors';
  /** Output names: boxes (or regressors) and scores (or classificators). */
  boxes: string;
  scores: string;
  boxFormat?: 'yxyx' | 'xyxy' | 'cxcywh';
  /** ssd-anchors: the anchors, and the decoding scales (MediaPipe TensorsToDetectionsCalculator: x/y/w/h_scale). */
  anchors?: SsdAnchorOptions;
  scales?: { x: number; y: number; w: number; h: number };
  /** Keypoints per box in the regressors (BlazeFace: 6). */
  keypoints?: number;
  /** Scores are logits: apply a sigmoid. */
  sigmoid?: boolean;
  scoreThreshold?: number;
  iouThreshold?: number;
  maxDetections?: number;
  labels?: string;
}

/** Segmentation: the mask output and how the app uses it. */
export interface SegmentTask {
  task: 'segment';
  output?: string;
  /** Which channel is the foreground (person) when the mask has several; default the last. */
  foregroundChannel?: number;
  /** The mask holds logits: apply a sigmoid (one channel) or softmax (several). */
  activation?: 'none' | 'sigmoid' | 'softmax';
  threshold?: number;
  effect?: 'overlay' | 'blur' | 'replace';
}

/** OCR: a text detector chained with a recogniser (PaddleOCR's DB detector + CTC recogniser). */
export interface OcrTask {
  task: 'ocr';
  /** The recogniser model and its dictionary file (one character per line), relative to the task file. */
  recognizer: string;
  dictionary: string;
  /**
   * DB post-processing: probability threshold, box threshold, unclip ratio, minimum box side. The unclip ratio defaults to
   * PaddleOCR's 1.5; on rendered Latin pages 2.0 keeps the spaces PP-OCRv4 rec otherwise drops (33/33 lines exact vs 16/33).
   */
  threshold?: number;
  boxThreshold?: number;
  unclipRatio?: number;
  minSize?: number;
  /** The recogniser's input height (width follows the crop's aspect, up to `maxWidth`). */
  recHeight?: number;
  maxWidth?: number;
}

/** Audio: frames from the microphone, features, per-frame probabilities. */
export interface AudioTask {
  task: 'audio';
  sampleRate: number;
  /** Samples per model input frame and hop between frames. */
  frame: number;
  hop: number;
  /** Features the model expects: raw samples, or log-mel (n mels, FFT size, window). */
  features?: { kind: 'raw' } | { kind: 'log-mel'; mels: number; fft: number; window: number; hopLength: number };
  /** The input the features feed (default: the model's first). */
  input?: string;
  /** Recurrent state carried from one frame to the next: `output` of a run feeds `input` of the next, zeros of `shape` at the start. */
  state?: AudioState[];
  /** Inputs fed the same value on every run (e.g. Silero VAD's `sr`: int64 16000). */
  constants?: Record<string, AudioConstant>;
  output?: string;
  threshold?: number;
  labels?: string;
}

/** One recurrent state tensor of an audio model (Silero VAD: `state` → `stateN`, [2,1,128]). */
export interface AudioState {
  input: string;
  output: string;
  shape: number[];
}

/** A constant input of an audio model: a scalar (dims []) or a vector of values. */
export interface AudioConstant {
  dtype: 'float32' | 'int64';
  value: number | number[];
}

/** A task template. */
export type Task = ClassifyTask | DetectTask | SegmentTask | OcrTask | AudioTask;
