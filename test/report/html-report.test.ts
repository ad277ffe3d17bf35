// The HTML report, built from real measurements of LeNet-5 variants, renders in headless Chromium: every chart
// present with a non-zero size, no console errors, no network request, and it fits a 390 px phone; screenshots are saved for a look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/runtimes/browser/chromium.ts';
import { writeHtmlReport } from '../../src/report/html/report.ts';
import { paretoFront } from '../../src/report/html/pareto.ts';
import { runDemo } from '../../src/pipeline/demo.ts';


test('paretoFront keeps the non-dominated points, smallest first', () => {
  const pts = [{ size: 4, accuracy: 0.99 }, { size: 1, accuracy: 0.97 }, { size: 2, accuracy: 0.96 }, { size: 2, accuracy: 0.985 }, { size: 5, accuracy: 0.98 }];
  const front = paretoFront(pts);
  assert.deepEqual(front, [1, 3, 0]);
  for (const i of pts.keys()) {
    const dominated = pts.some((q) => q.size <= pts[i].size && q.accuracy >= pts[i].accuracy && (q.size < pts[i].size || q.accuracy > pts[i].accuracy));
    assert.equal(front.includes(i), !dominated);
  }
});

test("HTML report of the demo's measured LeNet-5 variants renders offline in headless Chromium", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-report-'));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
  try {
    // Real variants from the demo pipeline: LeNet-5 fp32/fp16/int8/w4, measured on 500 MNIST test images.
    const { report: data } = await runDemo({ outDir: dir, limit: 500, calibrationLimit: 300, runs: 60 });
    const [fp32, fp16, int8] = data.variants;
    assert.ok(fp32.accuracy! > 0.95 && int8.accuracy! > 0.9, `accuracies ${data.variants.map((v) => v.accuracy).join(', ')}`);
    assert.ok(int8.fileBytes < fp16.fileBytes && fp16.fileBytes < fp32.fileBytes);
    assert.ok(data.perLayer!.layers.every((l) => l.sqnrDb > 0 && Number.isFinite(l.sqnrDb)));

    const file = join(dir, 'report.html');
    writeHtmlReport(file, data);
    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'self-contained: no scripts, links or URLs');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => { if (r.url() !== pathToFileURL(file).href) requests.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    const charts = await page.$$eval('svg.chart', (els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { kind: e.getAttribute('data-chart'), width: r.width, height: r.height, shapes: e.querySelectorAll('circle,rect,polyline').length };
    }));
    const kinds = charts.map((c) => c.kind);
    for (const kind of ['scatter', 'layer-sqnr', 'confusion']) assert.equal(kinds.filter((k) => k === kind).length, 1, `${kind} in ${kinds}`);
    assert.equal(kinds.filter((k) => k === 'latency-histogram').length, data.variants.length);
    for (const c of charts) assert.ok(c.width > 100 && c.height > 50 && c.shapes > 0, JSON.stringify(c));
    assert.equal(await page.$$eval('table.summary tbody tr', (rows) => rows.length), data.variants.length);
    assert.equal(await page.$$eval('svg[data-chart=scatter] .on-front', (g) => g.length),
      paretoFront(data.variants.map((v) => ({ size: v.fileBytes, accuracy: v.accuracy! }))).length);
    assert.equal(await page.$$eval('svg[data-chart=layer-sqnr] .bar', (g) => g.length), data.perLayer!.layers.length);

    const shot = join(tmpdir(), 'ondevice-report-screenshot.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'no network requests');

    // A 390 × 844 phone: nothing is wider than the screen; the summary table reflows, charts scale down to their cards.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const phoneErrors: string[] = [];
    phone.on('console', (m) => { if (m.type() === 'error') phoneErrors.push(m.text()); });
    phone.on('pageerror', (e) => phoneErrors.push(e.message));
    await phone.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const layout = await phone.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      tableRight: document.querySelector('table.summary')!.getBoundingClientRect().right,
      cellsRight: Math.max(...[...document.querySelectorAll('table.summary td')].map((td) => td.getBoundingClientRect().right)),
      cardsRight: Math.max(...[...document.querySelectorAll('section')].map((s) => s.getBoundingClientRect().right)),
      // Each row is a card: every value but the name is preceded by its column's heading.
      headings: [...document.querySelectorAll('table.summary thead th')].map((th) => th.textContent),
      labels: [...document.querySelectorAll('table.summary tbody tr')].map((tr) => [...tr.children].map((td) => getComputedStyle(td, '::before').content)),
      charts: [...document.querySelectorAll('svg.chart')].map((e) => {
        const card = e.closest('section')!;
        const style = getComputedStyle(card);
        return { kind: e.getAttribute('data-chart'), width: e.getBoundingClientRect().width, natural: Number(e.getAttribute('width')),
          room: card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) };
      }),
    }));
    assert.ok(layout.scrollWidth <= 390, `the page is ${layout.scrollWidth} px wide on a 390 px screen`);
    assert.ok(layout.tableRight <= 390 && layout.cellsRight <= 390, `summary table ends at ${layout.tableRight} px, its cells at ${layout.cellsRight} px`);
    assert.ok(layout.cardsRight <= 390, `cards end at ${layout.cardsRight} px`);
    for (const row of layout.labels) assert.deepEqual(row, ['none', ...layout.headings.slice(1).map((h) => JSON.stringify(h))]);
    assert.equal(layout.charts.length, charts.length);
    for (const c of layout.charts) {
      if (c.kind === 'layer-sqnr') assert.ok(c.width >= 560 && c.width < c.natural, `per-layer chart scales down to a legible width and scrolls inside its card: ${JSON.stringify(c)}`);
      else assert.ok(c.width <= c.room + 0.5 && c.width > 200, `chart fits its card: ${JSON.stringify(c)}`);
    }
    const phoneShot = join(tmpdir(), 'ondevice-report-phone-screenshot.png');
    await phone.screenshot({ path: phoneShot, fullPage: true });
    assert.ok(statSync(phoneShot).size > 10_000);
    // A 768 px tablet keeps the table; when it is wider than its card only the table scrolls, not the card's heading and notes.
    await phone.setViewportSize({ width: 768, height: 1024 });
    const tablet = await phone.evaluate(() => {
      const table = document.querySelector('table.summary')!;
      const card = table.closest('section')!;
      return { page: document.documentElement.scrollWidth, card: card.scrollWidth - card.clientWidth, scroller: table.parentElement!.className,
        rows: getComputedStyle(table.querySelector('tr')!).display };
    });
    assert.deepEqual(tablet, { page: 768, card: 0, scroller: 'table-scroll', rows: 'table-row' });
    assert.deepEqual(phoneErrors, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
