// OCR post-processing on hand-checkable inputs: CTC decoding, dictionary, CER, geometry, DB boxes, crops, inputs, reading order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropQuad, homography, recInput } from '../../src/tasks/ocr/crop.ts';
import { ctcClasses, ctcGreedyDecode, parseDictionary } from '../../src/tasks/ocr/ctc.ts';
import { dbBoxes } from '../../src/tasks/ocr/db-boxes.ts';
import { detInput, detInputSize } from '../../src/tasks/ocr/det-input.ts';
import { convexHull, minAreaRect, quadAngle, quadBounds, rectCorners, type Point, type Quad } from '../../src/tasks/ocr/geometry.ts';
import { characterErrorRate, levenshtein, textAccuracy } from '../../src/tasks/ocr/metrics.ts';
import { readText, readTextOptions, readingOrder } from '../../src/tasks/ocr/pipeline.ts';

const near = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

/** [T, C] scores with probability `p` on class `k` per frame and the rest spread evenly. */
function frames(steps: readonly [number, number][], c: number): Float32Array {
  const out = new Float32Array(steps.length * c);
  steps.forEach(([k, p], t) => { for (let j = 0; j < c; j++) out[t * c + j] = j === k ? p : (1 - p) / (c - 1); });
  return out;
}

describe('CTC decoding and the dictionary', () => {
  const classes = ctcClasses(['a', 'b', 'c']);

  it('labels class 0 blank, then the dictionary, then the space', () => {
    assert.deepEqual(classes, ['', 'a', 'b', 'c', ' ']);
    assert.deepEqual(ctcClasses(['a'], false), ['', 'a']);
  });

  it('merges repeats, keeps a letter repeated across a blank, drops blanks, decodes the space', () => {
    const steps: [number, number][] = [[1, 0.9], [1, 0.5], [0, 0.99], [1, 0.7], [2, 0.8], [2, 0.6], [4, 0.95], [3, 0.85], [0, 0.9]];
    const r = ctcGreedyDecode(frames(steps, 5), steps.length, classes);
    assert.equal(r.text, 'aab c');
    // Each character scores its run's first frame, as PaddleOCR does.
    assert.deepEqual(r.chars.map((ch) => ch.frame), [0, 3, 4, 6, 7]);
    near(r.confidence, (0.9 + 0.7 + 0.8 + 0.95 + 0.85) / 5, 1e-6, 'confidence');
  });

  it('gives an empty line confidence 0 and refuses scores that do not match the classes', () => {
    const r = ctcGreedyDecode(frames([[0, 0.9], [0, 0.8]], 5), 2, classes);
    assert.equal(r.text, '');
    assert.equal(r.confidence, 0);
    assert.throws(() => ctcGreedyDecode(new Float32Array(12), 3, classes), /3 frames × 5 classes/);
  });

  it('parses dictionary lines (LF or CR LF, a final newline adds nothing, an inner empty line stays)', () => {
    assert.deepEqual(parseDictionary('a\r\nb\n\n中\n'), ['a', 'b', '', '中']);
    assert.deepEqual(parseDictionary('x\ny'), ['x', 'y']);
  });
});

describe('text metrics', () => {
  it('counts edits by code point', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('', 'abc'), 3);
    assert.equal(levenshtein('中文字', '中字'), 1);
    assert.equal(characterErrorRate('abcd', 'abed'), 0.25);
    assert.equal(characterErrorRate('', 'xy'), 2);
  });

  it('sums edits over characters for the corpus CER and counts exact lines', () => {
    const a = textAccuracy(['hello world', 'abc', 'x'], ['helloworld', 'abc', 'y']);
    assert.deepEqual([a.lines, a.exact, a.edits, a.characters], [3, 1, 2, 15]);
    near(a.cer, 2 / 15, 1e-12);
    near(a.exactMatch, 1 / 3, 1e-12);
    assert.throws(() => textAccuracy(['a'], []), /1 references but 0/);
  });
});

/** Points of a filled w×h rectangle turned by `deg` about (cx, cy), on the pixel grid. */
function rotatedRectPixels(cx: number, cy: number, w: number, h: number, deg: number): Point[] {
  const a = (deg * Math.PI) / 180, pts: Point[] = [];
  for (let y = 0; y < 200; y++) for (let x = 0; x < 200; x++) {
    const dx = x - cx, dy = y - cy;
    if (Math.abs(dx * Math.cos(a) + dy * Math.sin(a)) <= w / 2 && Math.abs(-dx * Math.sin(a) + dy * Math.cos(a)) <= h / 2) pts.push([x, y]);
  }
  return pts;
}

describe('geometry', () => {
  it('hulls a square with inner and edge points to its 4 corners', () => {
    const hull = convexHull([[0, 0], [4, 0], [2, 0], [4, 4], [0, 4], [2, 2], [1, 3]]);
    assert.deepEqual([...hull].sort(), [[0, 0], [0, 4], [4, 0], [4, 4]]);
  });

  it('finds the rotated minimum-area rectangle of a turned rectangle and orders its corners top-left first', () => {
    const r = minAreaRect(rotatedRectPixels(100, 100, 120, 30, 20));
    near(r.width * r.height, 120 * 30, 0.08 * 120 * 30, 'area');
    const q = rectCorners(r);
    near(quadAngle(q), 20, 1, 'angle');
    assert.ok(q[0][0] < q[1][0] && q[0][1] < q[3][1], `order ${JSON.stringify(q)}`);
    near(Math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]), 120, 3, 'top side');
  });
});

describe('DB boxes', () => {
  const W = 64, H = 32;
  function map(fill: (x: number, y: number) => number): Float32Array {
    const m = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m[y * W + x] = fill(x, y);
    return m;
  }

  it('boxes a component, scores it by its mean probability and grows it by area·ratio/perimeter, at the source scale', () => {
    const prob = map((x, y) => (x >= 10 && x <= 49 && y >= 8 && y <= 15 ? 0.9 : 0.05));
    const boxes = dbBoxes(prob, W, H, 2 * W, 2 * H);
    assert.equal(boxes.length, 1);
    near(boxes[0].score, 0.9, 1e-6, 'score');
    // Pixel centres span 39 × 7; each side moves out by 39·7·1.5 / (2·(39 + 7)); the source is twice the map.
    const d = (39 * 7 * 1.5) / (2 * 46);
    const b = quadBounds(boxes[0].points);
    assert.deepEqual([b.xmin, b.ymin, b.xmax, b.ymax], [Math.round(2 * (10 - d)), Math.round(2 * (8 - d)), Math.round(2 * (49 + d)), Math.round(2 * (15 + d))]);
  });

  it('drops faint components (box threshold), thin ones (min size) and respects the threshold', () => {
    const prob = map((x, y) => (x >= 5 && x <= 30 && y >= 4 && y <= 12 ? 0.45 : x >= 40 && x <= 60 && y >= 20 && y <= 21 ? 0.95 : 0));
    assert.equal(dbBoxes(prob, W, H, W, H).length, 0);
    assert.equal(dbBoxes(prob, W, H, W, H, { boxThreshold: 0.4 }).length, 1);
    assert.equal(dbBoxes(prob, W, H, W, H, { threshold: 0.5, boxThreshold: 0.4 }).length, 0);
    assert.throws(() => dbBoxes(new Float32Array(10), W, H, W, H), /needs 2048 values/);
  });

  it('keeps a turned component turned', () => {
    const inside = new Set(rotatedRectPixels(100, 100, 140, 24, -8).map(([x, y]) => y * 200 + x));
    const prob = new Float32Array(200 * 200).map((_, i) => (inside.has(i) ? 0.8 : 0));
    const boxes = dbBoxes(prob, 200, 200, 200, 200);
    assert.equal(boxes.length, 1);
    near(quadAngle(boxes[0].points), -8, 1, 'angle');
  });
});

describe('crops and model inputs', () => {
  const w = 40, h = 30;
  const img = { data: new Uint8Array(w * h * 3).map((_, i) => { const p = Math.floor(i / 3); return (p % w) + 2 * Math.floor(p / w) + (i % 3); }), width: w, height: h, channels: 3 };
  const at = (x: number, y: number, c: number) => img.data[(y * w + x) * 3 + c];

  it('maps quad corners with the homography', () => {
    const from: Quad = [[0, 0], [50, 0], [50, 20], [0, 20]], to: Quad = [[3, 4], [48, 9], [45, 30], [1, 22]];
    const m = homography(from, to);
    for (let i = 0; i < 4; i++) {
      const [x, y] = from[i], z = m[6] * x + m[7] * y + m[8];
      near((m[0] * x + m[1] * y + m[2]) / z, to[i][0], 1e-9); near((m[3] * x + m[4] * y + m[5]) / z, to[i][1], 1e-9);
    }
  });

  it('crops an axis-aligned quad pixel for pixel', () => {
    const crop = cropQuad(img, [[5, 4], [25, 4], [25, 14], [5, 14]]);
    assert.deepEqual([crop.width, crop.height], [20, 10]);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) for (let c = 0; c < 3; c++) near(crop.data[(y * 20 + x) * 3 + c], at(5 + x, 4 + y, c), 1e-4);
  });

  it('turns a tall crop 90° counter-clockwise', () => {
    const crop = cropQuad(img, [[5, 2], [15, 2], [15, 28], [5, 28]]);
    assert.deepEqual([crop.width, crop.height], [26, 10]);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 26; x++) near(crop.data[(y * 26 + x) * 3], at(5 + 9 - y, 2 + x, 0), 1e-4);
  });

  it('resizes to height 48 keeping the aspect, pads to 320, caps at maxWidth, normalises to [-1, 1], orders channels', () => {
    const white = { data: new Uint8Array(100 * 25 * 3).fill(255), width: 100, height: 25, channels: 3 };
    const t = recInput(white);
    assert.deepEqual(t.dims, [1, 3, 48, 320]);
    assert.equal(t.data[47 * 320 + 191], 1);
    assert.equal(t.data[47 * 320 + 192], 0);
    assert.deepEqual(recInput({ ...white, width: 1000, height: 10, data: new Uint8Array(30000) }).dims, [1, 3, 48, 1280]);
    const red = { data: new Uint8Array(48 * 48 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0)), width: 48, height: 48, channels: 3 };
    assert.deepEqual([recInput(red).data[0], recInput(red, { bgr: true }).data[0]], [1, -1]);
  });

  it('sizes the detector input to multiples of 32 under the side limit and normalises with ImageNet statistics', () => {
    assert.deepEqual(detInputSize(800, 600), { width: 800, height: 608 });
    assert.deepEqual(detInputSize(1920, 1080), { width: 960, height: 544 });
    assert.deepEqual(detInputSize(10, 10), { width: 32, height: 32 });
    // 400/32 = 12.5 rounds to 12 as Python's round does in PaddleOCR (600/32 = 18.75 to 19).
    assert.deepEqual(detInputSize(300, 200, { limitType: 'min', limitSideLen: 400 }), { width: 608, height: 384 });
    assert.deepEqual(detInputSize(432, 400), { width: 448, height: 384 }); // 13.5 → 14, 12.5 → 12
    const rgba = { data: new Uint8Array(64 * 64 * 4).map((_, i) => [200, 100, 50, 255][i % 4]), width: 64, height: 64, channels: 4 };
    const d = detInput(rgba);
    assert.deepEqual(d.tensor.dims, [1, 3, 64, 64]);
    near(d.tensor.data[0], (200 / 255 - 0.485) / 0.229, 1e-5);
    near(d.tensor.data[64 * 64 * 2], (50 / 255 - 0.406) / 0.225, 1e-5);
  });
});

describe('reading order and the pipeline', () => {
  const box = (x: number, y: number, w: number, h: number) => ({ points: [[x, y], [x + w, y], [x + w, y + h], [x, y + h]] as Quad });

  it('takes the options an OCR task template sets', () => {
    assert.deepEqual(readTextOptions({ task: 'ocr', recognizer: 'rec.onnx', dictionary: 'keys.txt', unclipRatio: 2, recHeight: 32 }), { unclipRatio: 2, height: 32 });
  });

  it('orders rows top to bottom and boxes in a row left to right', () => {
    const right = box(300, 98, 80, 20), left = box(20, 103, 80, 20), top = box(200, 40, 80, 20), bottom = box(10, 160, 50, 20);
    assert.deepEqual(readingOrder([right, bottom, left, top]), [top, left, right, bottom]);
  });

  it('runs detector then recogniser per box, and drops lines under the confidence bar', async () => {
    const classes = ctcClasses(['h', 'i']);
    const seen: number[][] = [];
    const detect = async (t: { dims: number[] }) => {
      seen.push(t.dims);
      const [, , hh, ww] = t.dims;
      const data = new Float32Array(hh * ww);
      for (let y = 10; y < 20; y++) for (let x = 10; x < 60; x++) data[y * ww + x] = 0.9;
      for (let y = 40; y < 50; y++) for (let x = 10; x < 60; x++) data[y * ww + x] = 0.9;
      return { data, dims: [1, 1, hh, ww] };
    };
    let call = 0;
    const recognize = async (t: { dims: number[] }) => {
      seen.push(t.dims);
      const p = call++ === 0 ? 0.9 : 0.3;
      return { data: frames([[1, p], [0, 0.9], [2, p]], classes.length), dims: [1, 3, classes.length] };
    };
    const image = { data: new Uint8Array(100 * 70 * 3), width: 100, height: 70, channels: 3 };
    const lines = await readText(image, { detect, recognize }, classes);
    assert.deepEqual(seen[0], [1, 3, 64, 96]);
    assert.equal(seen.length, 3);
    assert.deepEqual(lines.map((l) => l.text), ['hi']);
    assert.ok(quadBounds(lines[0].box).ymax < 35, 'the upper box comes first');
    assert.equal((await readText(image, { detect, recognize: async () => { call = 0; return recognize({ dims: [] }); } }, classes, { minConfidence: 0 })).length, 2);
  });
});
