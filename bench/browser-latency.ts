// Benchmark: the default model's latency in headless Chromium (the deployed web app, onnxruntime-web WASM) next to
// onnxruntime-node's, same model, same input, same run. Usage: npm run bench:browser [-- --runs 500 --warmup 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { deployWeb } from '../src/deploy/web.ts';
import { serveStatic } from '../src/deploy/serve.ts';
import { DEFAULT_MODEL } from '../src/paths.ts';
import { ortNodeRuntime } from '../src/runtimes/ort-node.ts';
import { ortWebWasmRuntime } from '../src/runtimes/ort-web.ts';
import type { RuntimeSession } from '../src/runtimes/runtime.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '50' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);

interface Row { engine: string; ms: number[] }

/** The same fixed input the page's benchmark uses (sin(i)), one image [1,1,28,28]. */
function input(): Float32Array {
  const x = new Float32Array(784);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
  return x;
}

async function timeSession(session: RuntimeSession): Promise<number[]> {
  const feeds = { input: { dtype: 'float32' as const, dims: [1, 1, 28, 28], data: input() } };
  for (let i = 0; i < WARMUP; i++) await session.run(feeds);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await session.run(feeds);
    ms.push(performance.now() - t);
  }
  await session.release();
  return ms;
}

const q = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(ms.length * p))];
const mean = (ms: number[]) => ms.reduce((a, b) => a + b, 0) / ms.length;

const work = mkdtempSync(join(tmpdir(), 'ondevice-bench-browser-'));
const rows: Row[] = [];
try {
  const site = await deployWeb({ out: join(work, 'site'), webgpu: false });
  const server = await serveStatic(site.dir, { port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    for (const threads of [1, 0]) {
      const page = await browser.newPage();
      await page.goto(`${server.url}?backend=wasm${threads ? `&threads=${threads}` : ''}`);
      const r = await page.evaluate(async ([runs, warmup]) => {
        const o = (globalThis as unknown as { ondevice: { ready: Promise<{ session: { backend: string }; benchmark(r: number, w: number): Promise<number[]> }> } }).ondevice;
        const app = await o.ready;
        return { backend: app.session.backend, ms: await app.benchmark(runs, warmup) };
      }, [RUNS, WARMUP] as const);
      rows.push({ engine: `Chromium ${browser.version()}, onnxruntime-web ${r.backend}`, ms: r.ms });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  rows.push({ engine: 'Node, onnxruntime-web wasm (1 thread)', ms: await timeSession(await ortWebWasmRuntime.load(DEFAULT_MODEL.path, { threads: 1 })) });
  rows.push({ engine: 'Node, onnxruntime-node CPU (1 thread)', ms: await timeSession(await ortNodeRuntime.load(DEFAULT_MODEL.path, { threads: 1 })) });
} finally {
  rmSync(work, { recursive: true, force: true });
}

const node = q(rows.at(-1)!.ms, 0.5);
process.stdout.write(`LeNet-5 (${DEFAULT_MODEL.path.split('/').slice(-2).join('/')}), batch 1, ${RUNS} timed runs after ${WARMUP} warm-up, per inference:\n\n`);
const width = Math.max(...rows.map((r) => r.engine.length));
process.stdout.write(`${'engine'.padEnd(width)}  median ms   p90 ms  mean ms  × node\n`);
for (const r of rows) {
  const med = q(r.ms, 0.5);
  process.stdout.write(`${r.engine.padEnd(width)}  ${med.toFixed(4).padStart(9)} ${q(r.ms, 0.9).toFixed(4).padStart(8)} ${mean(r.ms).toFixed(4).padStart(8)}  ${(med / node).toFixed(2).padStart(6)}\n`);
}
process.stdout.write(`\nbrowser WASM (1 thread) / onnxruntime-node median: ${(q(rows[0].ms, 0.5) / node).toFixed(2)}×\n`);
