// The evaluate report in headless Chromium: without labels it draws fidelity and agreement charts (the judged figures and the
// runtime's) instead of empty cards; with class sub-folders it draws per-class recall and a confusion matrix with class names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { openDataSource } from '../../src/data/open-source.ts';
import { nameClasses } from '../../src/evaluate/classify.ts';
import { evaluateModels, type Evaluation, type ModelEvaluation } from '../../src/evaluate/compare.ts';
import { evaluationReportData } from '../../src/report/evaluation-data.ts';
import { verdict } from '../../src/evaluate/verdict.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { num } from '../../src/report/html/svg.ts';
import { renderHtmlReport, writeHtmlReport } from '../../src/report/html/report.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/runtimes/browser/chromium.ts';
import { hostCpu } from '../../src/runtimes/host.ts';

const LENET = DEFAULT_MODEL.path;
const RECIPE = join(PACKAGE_ROOT, 'models', 'lenet5', 'preprocess.json');
const COUNT = 300;

/** The first COUNT MNIST test digits as PNGs under `dir`, in `folderOf(label)`. */
async function writeDigits(dir: string, folderOf: (label: number) => string): Promise<void> {
  const mnist = loadMnist('test', { limit: COUNT });
  for (let i = 0; i < COUNT; i++) {
    const sub = join(dir, folderOf(mnist.labels[i]));
    mkdirSync(sub, { recursive: true });
    await sharp(Buffer.from(mnist.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png().toFile(join(sub, `${String(i).padStart(4, '0')}.png`));
  }
}

/** Evaluates LENET against `candidates` on an image folder and writes its report to `file`. */
async function evaluateFolder(folder: string, candidates: string[], file: string, labels?: string): Promise<Evaluation> {
  const source = await openDataSource(folder, modelInputs(await readModel(LENET)), { recipe: RECIPE, purpose: 'evaluation', labels });
  const ev = nameClasses(await evaluateModels(LENET, candidates, source), source.classNames);
  writeHtmlReport(file, evaluationReportData(ev, ev.candidates.map((c) => verdict(ev.reference, c))));
  return ev;
}

interface Chart { kind: string | null; width: number; height: number; shapes: number }

/** Opens the report offline; returns its charts and what a selector's elements say, with console errors and requests. */
async function render(browser: Browser, file: string, select: string[]) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [], requests: string[] = [];
  page.on('request', (r) => { if (r.url() !== pathToFileURL(file).href) requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const charts: Chart[] = await page.$$eval('svg.chart', (els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { kind: e.getAttribute('data-chart'), width: r.width, height: r.height, shapes: e.querySelectorAll('circle,rect,polyline').length };
  }));
  const found: Record<string, { source: string | null; title: string; text: string; width: number }[]> = {};
  for (const s of select) {
    found[s] = await page.$$eval(s, (els) => els.map((e) => ({
      source: e.getAttribute('data-source'), title: e.querySelector('title')?.textContent ?? '', text: e.querySelector('text')?.textContent ?? '',
      width: e.querySelector('rect')?.getBoundingClientRect().width ?? 0,
    })));
  }
  const shot = join(tmpdir(), `ondevice-${basename(file, '.html')}-report.png`);
  await page.screenshot({ path: shot, fullPage: true });
  await page.close();
  return { charts, found, errors, requests, shot };
}

test('unlabelled evaluation: the report shows per-candidate PSNR/SQNR and top-1 agreement charts with the judged figures, no empty cards', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-fidelity-report-'));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
  try {
    const flat = join(dir, 'flat');
    await writeDigits(flat, () => '.');
    const quant = join(dir, 'lenet5-w8a8.onnx'), copy = join(dir, 'copy.onnx');
    const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', calibration: { source: await openDataSource('mnist:train', modelInputs(await readModel(LENET))), limit: 200 } });
    await writeModel(model, quant);
    await writeModel(await readModel(LENET), copy);
    const file = join(dir, 'unlabelled.html');
    const ev = await evaluateFolder(flat, [quant, copy], file);
    assert.equal(ev.reference.accuracy, undefined, 'a flat folder has no labels');
    const [q] = ev.candidates;
    const exact = q.exact!.fidelity[0], runtime = q.fidelity![0];
    assert.ok(exact.agreement && runtime.agreement);

    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'self-contained');
    assert.doesNotMatch(html, /no accuracy measured/, 'no empty accuracy card');
    const { charts, found, errors, requests, shot } = await render(browser, file, ['svg[data-chart=fidelity] .fidelity-bar', 'svg[data-chart=agreement] .agreement-bar']);
    const kinds = charts.map((c) => c.kind);
    assert.deepEqual(kinds.filter((k) => k === 'fidelity').length, 2, `one fidelity chart per candidate in ${kinds}`);
    assert.deepEqual(kinds.filter((k) => k === 'agreement').length, 1, `${kinds}`);
    for (const k of ['scatter', 'confusion', 'class-recall']) assert.ok(!kinds.includes(k), `${k} without labels in ${kinds}`);
    for (const c of charts) assert.ok(c.width > 100 && c.height > 50 && c.shapes > 0, JSON.stringify(c));

    // The quantized candidate: PSNR and SQNR of its one output, judged (exact Q/DQ) and its runtime's beside; then the copy's two.
    const bars = found['svg[data-chart=fidelity] .fidelity-bar'];
    assert.deepEqual(bars.map((b) => b.source), ['exact Q/DQ', 'ort-node', 'exact Q/DQ', 'ort-node', 'ort-node', 'ort-node']);
    assert.equal(bars[0].text, `${num(exact.psnr)} dB`, 'the first bar is the judged PSNR');
    assert.equal(bars[1].text, `${num(runtime.psnr)} dB`);
    assert.equal(bars[2].text, `${num(exact.sqnr)} dB`);
    assert.ok(bars[0].width > 50 && Math.abs(bars[0].width / bars[2].width - exact.psnr / exact.sqnr) < 0.02, 'bar lengths follow the figures');
    assert.deepEqual(bars.slice(4).map((b) => b.text), ['∞ identical', '∞ identical'], 'the copy is identical');

    const agree = found['svg[data-chart=agreement] .agreement-bar'];
    assert.deepEqual(agree.map((b) => b.text), [
      `${(exact.agreement!.top1 * 100).toFixed(2)}% exact Q/DQ`, `${(runtime.agreement!.top1 * 100).toFixed(2)}% ort-node`, '100.00% ort-node',
    ]);
    assert.match(agree[0].title, /\(judged\)$/);
    assert.ok(statSync(shot).size > 10_000);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    t.diagnostic(`w8a8 on ${COUNT} unlabelled digits: exact PSNR ${exact.psnr.toFixed(2)} dB SQNR ${exact.sqnr.toFixed(2)} dB agreement ${exact.agreement!.top1}; `
      + `ort-node PSNR ${runtime.psnr.toFixed(2)} dB agreement ${runtime.agreement!.top1}; screenshot ${shot}`);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('labelled evaluation: the report draws per-class recall and the confusion matrix by class name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-fidelity-report-'));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
  try {
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const labelled = join(dir, 'labelled');
    await writeDigits(labelled, (label) => words[label]);
    const labelsFile = join(dir, 'words.txt');
    writeFileSync(labelsFile, words.join('\n'));
    const copy = join(dir, 'copy.onnx');
    await writeModel(await readModel(LENET), copy);
    const file = join(dir, 'labelled.html');
    const ev = await evaluateFolder(labelled, [copy], file, labelsFile);
    assert.equal(ev.reference.accuracy!.count, COUNT);
    const { charts, found, errors } = await render(browser, file, ['svg[data-chart=class-recall] .recall-bar', 'svg[data-chart=confusion] g']);
    const kinds = charts.map((c) => c.kind);
    for (const k of ['scatter', 'confusion', 'class-recall', 'fidelity', 'agreement']) assert.equal(kinds.filter((x) => x === k).length, 1, `${k} in ${kinds}`);
    for (const c of charts) assert.ok(c.width > 100 && c.height > 50 && c.shapes > 0, JSON.stringify(c));
    const recall = found['svg[data-chart=class-recall] .recall-bar'];
    assert.equal(recall.length, 2 * 10, 'a bar per class for the reference and the copy');
    for (const w of words) assert.ok(recall.some((b) => b.title.startsWith(`${w}: `)), `recall of ${w}`);
    const cells = found['svg[data-chart=confusion] g'];
    assert.equal(cells.length, 100);
    for (const w of words) assert.ok(cells.some((c) => c.title.startsWith(`true ${w}, predicted ${w}: `)), `diagonal cell of ${w}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the fidelity data holds the judged (exact) figures first and the runtime\'s beside them, when the two differ', () => {
  const info = { runtime: 'ort-node', engine: 'onnxruntime-node', version: 'test', threads: 1 };
  const fid = (psnr: number, top1: number) => [{ output: 'logits', psnr, sqnr: psnr - 10, cosine: 1, maxAbsError: 0, meanAbsError: 0, rmse: 0, peak: 1, count: 9,
    agreement: { count: 9, top1, top5: 1 } }];
  const ref: ModelEvaluation = { path: 'f.onnx', sizeBytes: 4, runtime: 'ort-node', runtimeInfo: info };
  const cand: ModelEvaluation = { path: 'q.onnx', sizeBytes: 1, runtime: 'ort-node', runtimeInfo: info, scheme: 'w8a8', fidelity: fid(25.5, 0.9),
    exact: { runtime: { ...info, runtime: 'onnx-reference' }, fidelity: fid(54, 0.99), kernelError: fid(25.5, 0.9) } };
  const ev: Evaluation = { data: 'x', examples: 9, host: hostCpu(), reference: ref, candidates: [cand] };
  const data = evaluationReportData(ev, [verdict(ref, cand)]);
  assert.deepEqual(data.fidelity, [{
    variant: 1,
    judged: { source: 'exact Q/DQ', outputs: [{ output: 'logits', psnrDb: 54, sqnrDb: 44 }], top1Agreement: 0.99, top5Agreement: 1 },
    runtime: { source: 'ort-node', outputs: [{ output: 'logits', psnrDb: 25.5, sqnrDb: 15.5 }], top1Agreement: 0.9, top5Agreement: 1 },
    minPsnrDb: 30,
  }]);
  const html = renderHtmlReport(data);
  assert.match(html, /data-source="exact Q\/DQ" data-metric="PSNR">.*?>54 dB</);
  assert.match(html, /data-source="ort-node" data-metric="PSNR">.*?>25\.5 dB</);
  assert.match(html, />99\.00% exact Q\/DQ</);
  assert.match(html, />90\.00% ort-node</);
});
