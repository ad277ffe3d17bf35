// Task templates from JSON: validation with one clear error per problem, documented defaults, defaults from a model's shapes.
import { UsageError } from '../errors.ts';
import type { Dim } from '../ir/graph.ts';
import { TASK_DEFAULTS, TASK_KINDS, type AudioConstant, type AudioState, type AudioTask, type ClassifyTask, type DetectTask, type OcrTask, type SegmentTask, type SsdAnchorOptions, type Task, type TaskKind } from './task.ts';


export { TASK_DEFAULTS } from './task.ts';

/** The fields each kind of template may have. */
export const TASK_FIELDS: Readonly<Record<TaskKind, readonly string[]>> = {
  classify: ['task', 'output', 'softmax', 'topK', 'labels'],
  detect: ['task', 'layout', 'boxes', 'scores', 'boxFormat', 'anchors', 'scales', 'keypoints', 'sigmoid', 'scoreThreshold', 'iouThreshold', 'maxDetections', 'labels'],
  segment: ['task', 'output', 'foregroundChannel', 'activation', 'threshold', 'effect'],
  ocr: ['task', 'recognizer', 'dictionary', 'threshold', 'boxThreshold', 'unclipRatio', 'minSize', 'recHeight', 'maxWidth'],
  audio: ['task', 'sampleRate', 'frame', 'hop', 'features', 'input', 'state', 'constants', 'output', 'threshold', 'labels'],
};
const ANCHOR_KEYS = ['inputSizeHeight', 'inputSizeWidth', 'numLayers', 'minScale', 'maxScale', 'anchorOffsetX', 'anchorOffsetY', 'strides', 'aspectRatios', 'fixedAnchorSize', 'interpolatedScaleAspectRatio', 'reduceBoxesInLowestLayer'];

type Fail = (msg: string) => never;
type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Field readers over one JSON object; `where` prefixes field names (e.g. 'anchors.'). */
function reader(o: Obj, fail: Fail, where = '') {
  const name = (k: string) => `'${where}${k}'`;
  const has = (k: string) => o[k] !== undefined;
  return {
    has,
    /** The field's JSON value as it is (checked by the caller). */
    raw(k: string): unknown {
      return o[k];
    },
    unknown(known: readonly string[]) {
      for (const k of Object.keys(o)) if (!known.includes(k)) fail(`unknown field ${name(k)} (known: ${known.join(', ')})`);
    },
    string(k: string, required = false): string | undefined {
      if (!has(k)) return required ? fail(`${name(k)} is required (a non-empty string)`) : undefined;
      if (typeof o[k] !== 'string' || o[k] === '') fail(`${name(k)} must be a non-empty string, got ${show(o[k])}`);
      return o[k] as string;
    },
    bool(k: string): boolean | undefined {
      if (!has(k)) return undefined;
      if (typeof o[k] !== 'boolean') fail(`${name(k)} must be true or false, got ${show(o[k])}`);
      return o[k] as boolean;
    },
    /** A finite number in [min, max]; integer if asked; `fallback` when absent (undefined fallback + required → error). */
    number(k: string, opts: { min?: number; max?: number; integer?: boolean; above?: number; required?: boolean; fallback?: number } = {}): number | undefined {
      if (!has(k)) return opts.required ? fail(`${name(k)} is required (a number)`) : opts.fallback;
      const v = o[k];
      const kind = opts.integer ? 'an integer' : 'a number';
      const range = [opts.above !== undefined ? `> ${opts.above}` : opts.min !== undefined ? `≥ ${opts.min}` : '', opts.max !== undefined ? `≤ ${opts.max}` : ''].filter(Boolean).join(' and ');
      const bad = typeof v !== 'number' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v))
        || (opts.min !== undefined && v < opts.min) || (opts.above !== undefined && v <= opts.above) || (opts.max !== undefined && v > opts.max);
      if (bad) fail(`${name(k)} must be ${kind}${range ? ` ${range}` : ''}, got ${show(v)}`);
      return v as number;
    },
    oneOf<T extends string>(k: string, allowed: readonly T[], opts: { required?: boolean; fallback?: T } = {}): T | undefined {
      if (!has(k)) return opts.required ? fail(`${name(k)} is required (one of ${allowed.join(', ')})`) : opts.fallback;
      if (!allowed.includes(o[k] as T)) fail(`${name(k)} must be one of ${allowed.join(', ')}, got ${show(o[k])}`);
      return o[k] as T;
    },
    numbers(k: string, required = false): number[] | undefined {
      if (!has(k)) return required ? fail(`${name(k)} is required (a non-empty array of numbers)`) : undefined;
      const v = o[k];
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(`${name(k)} must be a non-empty array of numbers, got ${show(v)}`);
      return [...(v as number[])];
    },
    object(k: string): Obj | undefined {
      if (!has(k)) return undefined;
      if (!isObject(o[k])) fail(`${name(k)} must be an object, got ${show(o[k])}`);
      return o[k] as Obj;
    },
  };
}

/** Copies the defined entries of `fields` (keeps parsed tasks free of `undefined` keys, so they round-trip through JSON). */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

function parseClassify(r: ReturnType<typeof reader>): ClassifyTask {
  r.unknown(TASK_FIELDS.classify);
  return defined({
    task: 'classify' as const, output: r.string('output'), softmax: r.bool('softmax'),
    topK: r.number('topK', { integer: true, min: 1, fallback: TASK_DEFAULTS.classify.topK }), labels: r.string('labels'),
  });
}

function parseAnchors(o: Obj, fail: Fail): SsdAnchorOptions {
  const r = reader(o, fail, 'anchors.');
  r.unknown(ANCHOR_KEYS);
  const pos = { integer: true, min: 1, required: true };
  const anchors: SsdAnchorOptions = {
    inputSizeHeight: r.number('inputSizeHeight', pos)!, inputSizeWidth: r.number('inputSizeWidth', pos)!, numLayers: r.number('numLayers', pos)!,
    minScale: r.number('minScale', { above: 0, required: true })!, maxScale: r.number('maxScale', { above: 0, required: true })!,
    anchorOffsetX: r.number('anchorOffsetX', { required: true })!, anchorOffsetY: r.number('anchorOffsetY', { required: true })!,
    strides: r.numbers('strides', true)!, aspectRatios: r.numbers('aspectRatios', true)!,
  };
  if (!anchors.strides.every((s) => Number.isInteger(s) && s > 0)) fail(`'anchors.strides' must hold positive integers, got ${show(anchors.strides)}`);
  if (anchors.strides.length !== anchors.numLayers) fail(`'anchors.strides' needs one stride per layer (${anchors.numLayers}), got ${anchors.strides.length}`);
  return defined({
    ...anchors, fixedAnchorSize: r.bool('fixedAnchorSize'), interpolatedScaleAspectRatio: r.number('interpolatedScaleAspectRatio', { min: 0 }),
    reduceBoxesInLowestLayer: r.bool('reduceBoxesInLowestLayer'),
  });
}

function parseDetect(r: ReturnType<typeof reader>, fail: Fail): DetectTask {
  r.unknown(TASK_FIELDS.detect);
  const D = TASK_DEFAULTS.detect;
  const layout = r.oneOf('layout', ['boxes-scores', 'ssd-anchors'] as const, { required: true })!;
  const anchorsJson = r.object('anchors');
  if (layout === 'ssd-anchors' && !anchorsJson) fail("'anchors' is required for layout 'ssd-anchors' (MediaPipe SsdAnchorsCalculator options)");
  if (layout === 'boxes-scores' && anchorsJson) fail("'anchors' only applies to layout 'ssd-anchors'");
  const scalesJson = r.object('scales');
  let scales: DetectTask['scales'];
  if (scalesJson) {
    const s = reader(scalesJson, fail, 'scales.');
    s.unknown(['x', 'y', 'w', 'h']);
    const pos = { above: 0, required: true };
    scales = { x: s.number('x', pos)!, y: s.number('y', pos)!, w: s.number('w', pos)!, h: s.number('h', pos)! };
  }
  return defined({
    task: 'detect' as const, layout, boxes: r.string('boxes', true)!, scores: r.string('scores', true)!,
    boxFormat: r.oneOf('boxFormat', ['yxyx', 'xyxy', 'cxcywh'] as const, { fallback: D.boxFormat }),
    anchors: anchorsJson && parseAnchors(anchorsJson, fail), scales,
    keypoints: r.number('keypoints', { integer: true, min: 0 }), sigmoid: r.bool('sigmoid'),
    scoreThreshold: r.number('scoreThreshold', { min: 0, max: 1, fallback: D.scoreThreshold }),
    iouThreshold: r.number('iouThreshold', { min: 0, max: 1, fallback: D.iouThreshold }),
    maxDetections: r.number('maxDetections', { integer: true, min: 1, fallback: D.maxDetections }),
    labels: r.string('labels'),
  });
}

function parseSegment(r: ReturnType<typeof reader>): SegmentTask {
  r.unknown(TASK_FIELDS.segment);
  const D = TASK_DEFAULTS.segment;
  return defined({
    task: 'segment' as const, output: r.string('output'), foregroundChannel: r.number('foregroundChannel', { integer: true, min: 0 }),
    activation: r.oneOf('activation', ['none', 'sigmoid', 'softmax'] as const, { fallback: D.activation }),
    threshold: r.number('threshold', { min: 0, max: 1, fallback: D.threshold }),
    effect: r.oneOf('effect', ['overlay', 'blur', 'replace'] as const, { fallback: D.effect }),
  });
}

function parseOcr(r: ReturnType<typeof reader>): OcrTask {
  r.unknown(TASK_FIELDS.ocr);
  const D = TASK_DEFAULTS.ocr;
  return defined({
    task: 'ocr' as const, recognizer: r.string('recognizer', true)!, dictionary: r.string('dictionary', true)!,
    threshold: r.number('threshold', { min: 0, max: 1, fallback: D.threshold }),
    boxThreshold: r.number('boxThreshold', { min: 0, max: 1, fallback: D.boxThreshold }),
    unclipRatio: r.number('unclipRatio', { above: 0, fallback: D.unclipRatio }),
    minSize: r.number('minSize', { min: 0, fallback: D.minSize }),
    recHeight: r.number('recHeight', { integer: true, min: 1, fallback: D.recHeight }),
    maxWidth: r.number('maxWidth', { integer: true, min: 1, fallback: D.maxWidth }),
  });
}

function parseAudioState(v: unknown, fail: Fail): AudioState[] {
  if (!Array.isArray(v) || v.length === 0) return fail(`'state' must be a non-empty array of {input, output, shape}, got ${show(v)}`);
  return v.map((item, i) => {
    if (!isObject(item)) return fail(`'state[${i}]' must be an object {input, output, shape}, got ${show(item)}`);
    const s = reader(item, fail, `state[${i}].`);
    s.unknown(['input', 'output', 'shape']);
    const shape = s.numbers('shape', true)!;
    if (!shape.every((d) => Number.isInteger(d) && d >= 1)) fail(`'state[${i}].shape' must hold positive integers, got ${show(shape)}`);
    return { input: s.string('input', true)!, output: s.string('output', true)!, shape };
  });
}

function parseConstants(v: unknown, fail: Fail): Record<string, AudioConstant> {
  if (!isObject(v)) return fail(`'constants' must be an object of {dtype, value} by input name, got ${show(v)}`);
  const out: Record<string, AudioConstant> = {};
  for (const [name, c] of Object.entries(v)) {
    if (!isObject(c)) return fail(`'constants.${name}' must be an object {dtype, value}, got ${show(c)}`);
    const r = reader(c, fail, `constants.${name}.`);
    r.unknown(['dtype', 'value']);
    const dtype = r.oneOf('dtype', ['float32', 'int64'] as const, { required: true })!;
    const value = c.value;
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((x) => typeof x === 'number' && Number.isFinite(x) && (dtype === 'float32' || Number.isInteger(x)))) {
      fail(`'constants.${name}.value' must be ${dtype === 'int64' ? 'an integer' : 'a number'} or an array of them, got ${show(value)}`);
    }
    out[name] = { dtype, value: value as number | number[] };
  }
  return out;
}

function parseAudio(r: ReturnType<typeof reader>, fail: Fail): AudioTask {
  r.unknown(TASK_FIELDS.audio);
  const pos = { integer: true, min: 1, required: true };
  const sampleRate = r.number('sampleRate', pos)!, frame = r.number('frame', pos)!, hop = r.number('hop', pos)!;
  const fj = r.object('features');
  let features: AudioTask['features'];
  if (fj) {
    const f = reader(fj, fail, 'features.');
    const kind = f.oneOf('kind', ['raw', 'log-mel'] as const, { required: true })!;
    if (kind === 'raw') {
      f.unknown(['kind']);
      features = { kind };
    } else {
      f.unknown(['kind', 'mels', 'fft', 'window', 'hopLength']);
      const fft = f.number('fft', pos)!;
      if ((fft & (fft - 1)) !== 0) fail(`'features.fft' must be a power of two, got ${fft}`);
      const window = f.number('window', pos)!;
      if (window > fft) fail(`'features.window' (${window}) must not exceed 'features.fft' (${fft})`);
      features = { kind, mels: f.number('mels', pos)!, fft, window, hopLength: f.number('hopLength', pos)! };
    }
  }
  const state = r.has('state') ? parseAudioState(r.raw('state'), fail) : undefined;
  const constants = r.has('constants') ? parseConstants(r.raw('constants'), fail) : undefined;
  return defined({
    task: 'audio' as const, sampleRate, frame, hop, features, input: r.string('input'), state, constants, output: r.string('output'),
    threshold: r.number('threshold', { min: 0, max: 1, fallback: TASK_DEFAULTS.audio.threshold }), labels: r.string('labels'),
  });
}

/**
 * Validates a parsed JSON task template ({@link Task}), filling {@link TASK_DEFAULTS}; unknown fields are errors.
 * @throws UsageError naming `file` and the bad field, one problem at a time.
 */
export function parseTask(json: unknown, file?: string): Task {
  const fail: Fail = (msg) => {
    throw new UsageError(`bad task template: ${msg}`, { file });
  };
  if (!isObject(json)) return fail('expected a JSON object');
  const r = reader(json, fail);
  const kind = r.oneOf('task', TASK_KINDS, { required: true })!;
  switch (kind) {
    case 'classify': return parseClassify(r);
    case 'detect': return parseDetect(r, fail);
    case 'segment': return parseSegment(r);
    case 'ocr': return parseOcr(r);
    case 'audio': return parseAudio(r, fail);
  }
}

const known = (d: Dim): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/** A mask shape: [1,1,H,W], [1,H,W,1], [1,2,H,W] or [1,H,W,2] with H, W ≥ 8 (a batch of 1 or a dynamic batch). */
function isMaskShape(s: readonly Dim[]): boolean {
  if (s.length !== 4 || (known(s[0]) ?? 1) !== 1) return false;
  const [, a, b, c] = s.map(known);
  const big = (v: number | undefined) => v !== undefined && v >= 8;
  return ((a === 1 || a === 2) && big(b) && big(c)) || ((c === 1 || c === 2) && big(a) && big(b));
}

/**
 * A task guessed from the model's shapes when no task file exists:
 * - the first output is a mask ([1,1,H,W], [1,H,W,1], or two channels [1,2,H,W] / [1,H,W,2], H,W ≥ 8) → segment of that
 *   output (two channels: softmax, foreground the last channel; one: no activation, values taken as probabilities);
 * - the input is rank 2 [1,N] or [N] with N ≥ 1000 (raw samples) → audio at 16 kHz, frame N, hop N/2, raw features;
 * - otherwise → classify of the first output (top 5).
 * Dynamic dims (strings, null, ≤ 0) count as unknown.
 */
export function defaultTask(inputShape: readonly Dim[], outputShapes: Readonly<Record<string, readonly Dim[]>>): Task {
  const names = Object.keys(outputShapes);
  if (names.length === 0) throw new UsageError('the model has no outputs: no task to guess');
  const first = names[0];
  const out = outputShapes[first];
  if (isMaskShape(out)) {
    const two = out[1] === 2 || out[3] === 2;
    return { task: 'segment', output: first, activation: two ? 'softmax' : 'none', threshold: TASK_DEFAULTS.segment.threshold, effect: TASK_DEFAULTS.segment.effect };
  }
  const samples = inputShape.length === 2 && (known(inputShape[0]) ?? 1) === 1 ? known(inputShape[1]) : inputShape.length === 1 ? known(inputShape[0]) : undefined;
  if (samples !== undefined && samples >= 1000) {
    return { task: 'audio', sampleRate: 16000, frame: samples, hop: Math.max(1, Math.floor(samples / 2)), features: { kind: 'raw' }, output: first, threshold: TASK_DEFAULTS.audio.threshold };
  }
  return { task: 'classify', output: first, topK: TASK_DEFAULTS.classify.topK };
}
