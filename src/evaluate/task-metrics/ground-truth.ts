// Ground-truth files for task metrics: boxes.json (detection), PaddleOCR rec/det labels (text lines, pages), events.json (audio).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.ts';
import type { GroundTruth } from '../../tasks/detect/map.ts';

/** The detection labels file looked for in an image folder. */
export const BOXES_FILE = 'boxes.json';
/** The text-line labels file looked for in a folder of line images (PaddleOCR's `image<TAB>text` format). */
export const REC_LABELS_FILE = 'rec_gt.txt';
/** The page labels file looked for in a folder of page images (PaddleOCR's detection label format), when there is no `rec_gt.txt`. */
export const PAGE_LABELS_FILE = 'det_gt.txt';
/** The audio events file looked for in a folder of .wav files (or beside a single .wav). */
export const EVENTS_FILE = 'events.json';

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what}: ${(e as Error).message}`, { file, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not valid JSON: ${(e as Error).message}`, { file, cause: e });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Image keys compare with forward slashes and no leading `./`. */
export const imageKey = (relativePath: string): string => relativePath.replace(/\\/g, '/').replace(/^\.\//, '');

/**
 * Reads a boxes file: `{ "IMAGE": [{ "xmin", "ymin", "xmax", "ymax", "label"?, "difficult"? }, …], … }`, image paths
 * relative to the data folder, corners normalised 0–1 (x right, y down), `label` a class index (default 0) or a name in
 * `classNames`. An image listed with `[]` has no objects; an image not listed is not labelled (left out of the mAP).
 * @throws UsageError naming the file and the entry at fault.
 */
export function readBoxLabels(file: string, classNames?: readonly string[]): Map<string, GroundTruth[]> {
  const json = readJson(file, 'boxes file');
  const fail = (msg: string): never => {
    throw new UsageError(`bad boxes file: ${msg}`, { file });
  };
  if (!isObject(json)) return fail('expected an object mapping image paths to lists of boxes');
  const out = new Map<string, GroundTruth[]>();
  for (const [image, list] of Object.entries(json)) {
    if (!Array.isArray(list)) fail(`'${image}' must map to a list of boxes, got ${JSON.stringify(list)}`);
    out.set(imageKey(image), (list as unknown[]).map((b, i) => {
      const at = `'${image}'[${i}]`;
      if (!isObject(b)) return fail(`${at} must be an object { xmin, ymin, xmax, ymax, label? }`);
      for (const k of Object.keys(b)) if (!['xmin', 'ymin', 'xmax', 'ymax', 'label', 'difficult'].includes(k)) fail(`${at}: unknown field '${k}'`);
      const c = (k: string) => {
        const v = b[k];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(`${at}.${k} must be a number in [0, 1] (normalised to the image), got ${JSON.stringify(v)}`);
        return v as number;
      };
      const box = { xmin: c('xmin'), ymin: c('ymin'), xmax: c('xmax'), ymax: c('ymax') };
      if (box.xmax <= box.xmin || box.ymax <= box.ymin) fail(`${at} is empty or inverted (xmin < xmax and ymin < ymax needed)`);
      let classId = 0;
      if (typeof b.label === 'number') {
        if (!Number.isInteger(b.label) || b.label < 0) fail(`${at}.label must be a class index ≥ 0 or a class name, got ${b.label}`);
        classId = b.label;
      } else if (typeof b.label === 'string') {
        classId = classNames?.indexOf(b.label) ?? -1;
        if (classId < 0) fail(`${at}.label '${b.label}' is not a class name${classNames ? '' : ' (the task names no labels file: use a class index)'}`);
      } else if (b.label !== undefined) fail(`${at}.label must be a class index or name, got ${JSON.stringify(b.label)}`);
      if (b.difficult !== undefined && typeof b.difficult !== 'boolean') fail(`${at}.difficult must be true or false`);
      return { box, classId, ...(b.difficult ? { difficult: true } : {}) };
    }));
  }
  return out;
}

/** One labelled text line: the image file (absolute) and its text. */
export interface TextLineLabel {
  image: string;
  text: string;
}

/** One labelled page (PaddleOCR's detection label format): the image and its lines, each with its four corners in pixels. */
export interface TextPageLabel {
  image: string;
  lines: { text: string; points: [[number, number], [number, number], [number, number], [number, number]] }[];
}

/** A page label's JSON (`[{"transcription": "...", "points": [[x,y]×4]}]`), or a one-line error. */
function pageLines(json: string, fail: (msg: string) => never): TextPageLabel['lines'] {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    return fail(`the labels after the tab are not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(v)) return fail('the labels after the tab must be a list of { "transcription", "points" }');
  return v.map((o, i) => {
    const ok = isObject(o) && typeof o.transcription === 'string' && Array.isArray(o.points) && o.points.length === 4
      && o.points.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x)));
    if (!ok) fail(`entry ${i} must be { "transcription": text, "points": [[x, y] × 4] }`);
    return { text: (o as { transcription: string }).transcription, points: (o as { points: TextPageLabel['lines'][number]['points'] }).points };
  });
}

/**
 * The text-line labels of OCR data: `data` is a labels file, or a folder holding `rec_gt.txt` (else `det_gt.txt`). Each non-empty line is
 * `IMAGE<TAB>TEXT` (PaddleOCR's recognition label format), or for whole pages `IMAGE<TAB>[{"transcription", "points"}, …]`
 * (its detection label format: `pages`), image paths relative to the labels file.
 * @throws UsageError naming the file for a missing file, a line without a tab, or an image that does not exist.
 */
export function readTextLineLabels(data: string): { file: string; lines: TextLineLabel[]; pages?: TextPageLabel[] } {
  const inFolder = existsSync(data) && statSync(data).isDirectory();
  const file = inFolder ? [join(data, REC_LABELS_FILE), join(data, PAGE_LABELS_FILE)].find((f) => existsSync(f)) ?? join(data, REC_LABELS_FILE) : data;
  if (!existsSync(file)) throw new UsageError(`OCR data needs text-line labels: a file of 'IMAGE<TAB>TEXT' lines (or a folder holding ${REC_LABELS_FILE}, or ${PAGE_LABELS_FILE} for pages)`, { file });
  const lines: TextLineLabel[] = [];
  const pages: TextPageLabel[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const tab = line.indexOf('\t');
    if (tab <= 0) throw new UsageError(`line ${i + 1} is not 'IMAGE<TAB>TEXT'`, { file });
    const image = resolve(dirname(file), line.slice(0, tab));
    if (!existsSync(image)) throw new UsageError(`line ${i + 1}: no such image '${line.slice(0, tab)}'`, { file });
    const text = line.slice(tab + 1);
    if (text.trimStart().startsWith('[')) {
      pages.push({ image, lines: pageLines(text, (msg) => { throw new UsageError(`line ${i + 1}: ${msg}`, { file }); }) });
    } else lines.push({ image, text });
  });
  if (lines.length === 0 && pages.length === 0) throw new UsageError('the labels file holds no lines', { file });
  if (lines.length && pages.length) throw new UsageError('the labels file mixes text lines (IMAGE<TAB>TEXT) and pages (IMAGE<TAB>[{transcription, points}])', { file });
  return pages.length ? { file, lines, pages } : { file, lines };
}

/** A labelled stretch of audio, in seconds. */
export interface AudioEventLabel {
  start: number;
  end: number;
}

/**
 * Reads an events file: `{ "FILE.wav": [{ "start": s, "end": s }, …], … }`, paths relative to the data folder (a file
 * listed with `[]` has no events; a file not listed is not labelled).
 * @throws UsageError naming the file and the entry at fault.
 */
export function readAudioEvents(file: string): Map<string, AudioEventLabel[]> {
  const json = readJson(file, 'events file');
  const fail = (msg: string): never => {
    throw new UsageError(`bad events file: ${msg}`, { file });
  };
  if (!isObject(json)) return fail('expected an object mapping .wav paths to lists of { start, end } in seconds');
  const out = new Map<string, AudioEventLabel[]>();
  for (const [wav, list] of Object.entries(json)) {
    if (!Array.isArray(list)) fail(`'${wav}' must map to a list of { start, end }`);
    out.set(imageKey(wav), (list as unknown[]).map((e, i) => {
      const ok = isObject(e) && typeof e.start === 'number' && typeof e.end === 'number' && Number.isFinite(e.start) && Number.isFinite(e.end) && e.start >= 0 && e.end > e.start;
      if (!ok) fail(`'${wav}'[${i}] must be { "start": s, "end": s } with 0 ≤ start < end, got ${JSON.stringify(e)}`);
      return { start: (e as AudioEventLabel).start, end: (e as AudioEventLabel).end };
    }));
  }
  return out;
}
