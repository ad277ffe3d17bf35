// `deployWeb` on the real default model: what the site holds, the precache list, atomic replacement, and refusals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployWeb } from '../../src/deploy/web.ts';
import { OndeviceError, UsageError } from '../../src/errors.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { readModel } from '../../src/formats/registry.ts';
import { writeOnnx } from '../../src/formats/onnx/index.ts';

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-deploy-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

const precacheOf = (dir: string) => JSON.parse(/^self\.__PRECACHE = (.*);$/m.exec(readFileSync(join(dir, 'sw.js'), 'utf8'))![1]) as { version: string; files: string[] };

test('the default site: app, model, labels, recipe, local wasm, manifest, and a service worker precaching it all', async () => {
  const out = join(work, 'default');
  const r = await deployWeb({ out });
  for (const f of ['index.html', 'config.json', 'manifest.webmanifest', 'sw.js', 'icon.svg', 'model/lenet5.onnx', 'model/labels.txt',
    'model/preprocess.json', 'ort/ort-wasm-simd-threaded.wasm', 'ort/ort-wasm-simd-threaded.mjs', 'ort/ort-wasm-simd-threaded.asyncify.wasm']) {
    assert.ok(r.files.includes(f), `${f} in ${r.files.join(', ')}`);
  }
  assert.deepEqual(readFileSync(join(out, 'model/lenet5.onnx')), readFileSync(DEFAULT_MODEL.path));
  assert.equal(readFileSync(join(out, 'model/labels.txt'), 'utf8'), '0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n');
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(config, r.config);
  assert.equal(config.input, 'digit');
  assert.deepEqual(config.backends, ['webgpu', 'wasm']);
  assert.equal(config.topK, 5);
  const recipe = JSON.parse(readFileSync(join(out, 'model/preprocess.json'), 'utf8'));
  assert.deepEqual([recipe.size, recipe.channels, recipe.mean, recipe.std], [[28, 28], 'GRAY', [0.1307], [0.3081]]);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.webmanifest'), 'utf8'));
  assert.equal(manifest.start_url, './');
  assert.equal(manifest.display, 'standalone');
  // Precached: the page, every file but sw.js itself and the optional WebGPU build (cached when a browser uses it).
  const { files } = precacheOf(out);
  const optional = ['ort/ort-wasm-simd-threaded.asyncify.mjs', 'ort/ort-wasm-simd-threaded.asyncify.wasm'];
  assert.deepEqual(files, ['./', ...r.files.filter((f) => f !== 'sw.js' && !optional.includes(f))]);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'the page references nothing on another origin');
  assert.deepEqual(readdirSync(work).filter((n) => n.startsWith('.')), [], 'no temp folders left');
});

test('a user model with its own recipe and labels; WASM only; redeploying replaces the site and changes the cache version', async () => {
  const dir = join(work, 'mine');
  mkdirSync(dir);
  const model = join(dir, 'digits.onnx');
  copyFileSync(DEFAULT_MODEL.path, model);
  const labels = join(dir, 'names.txt');
  writeFileSync(labels, 'zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n');
  const out = join(work, 'mine-site');
  const first = await deployWeb({ model, out, labels, preprocess: DEFAULT_MODEL.preprocess, webgpu: false, topK: 3 });
  assert.equal(first.config.name, 'digits');
  assert.deepEqual(first.config.backends, ['wasm']);
  assert.equal(first.config.topK, 3);
  assert.ok(!first.files.some((f) => f.includes('asyncify')), 'no WebGPU build');
  assert.equal(readFileSync(join(out, 'model/labels.txt'), 'utf8').split('\n')[7], 'seven');
  const v1 = precacheOf(out).version;
  // A recipe found beside the model (NAME.preprocess.json) is used without --recipe.
  writeFileSync(join(dir, 'digits.preprocess.json'), JSON.stringify({ ...JSON.parse(readFileSync(DEFAULT_MODEL.preprocess, 'utf8')), labels: 'names.txt', mean: [0.13] }));
  const second = await deployWeb({ model, out, webgpu: false });
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'model/preprocess.json'), 'utf8')).mean, [0.13]);
  assert.equal(second.config.labels, 'model/labels.txt');
  assert.notEqual(precacheOf(out).version, v1, 'a changed site gets a new cache');
  assert.deepEqual(readdirSync(work).filter((n) => n.startsWith('.')), [], 'no temp or old folders left');
});

test('refusals: missing or corrupt model, wrong input, label count, tasks that need more, unknown task, foreign output folder', async () => {
  const dir = join(work, 'bad');
  mkdirSync(dir);
  const out = join(dir, 'out');
  const model = join(dir, 'm.onnx');
  copyFileSync(DEFAULT_MODEL.path, model);
  let recipes = 0;
  const recipe = (over: object) => {
    const f = join(dir, `r${recipes++}.json`);
    writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(DEFAULT_MODEL.preprocess, 'utf8')), labels: undefined, ...over }));
    return f;
  };
  const threeLabels = join(dir, 'three.txt');
  writeFileSync(threeLabels, 'a\nb\nc\n');
  writeFileSync(join(dir, 'm.tflite'), 'TFL3');
  const cases: [Parameters<typeof deployWeb>[0], RegExp][] = [
    [{ out, model: join(dir, 'missing.onnx') }, /no such model/],
    [{ out, model: join(dir, 'm.tflite') }, /m\.tflite: tflite: not a TFLite file/],
    [{ out, model, preprocess: recipe({ input: 'image' }) }, /input 'image'.*input/],
    [{ out, model, preprocess: recipe({}), labels: threeLabels }, /3 labels for a model with 10 classes/],
    [{ out, model, preprocess: recipe({}), task: 'detect' }, /--task detect needs a task file/],
    [{ out, model, preprocess: recipe({}), task: 'segment' }, /not a mask/],
    [{ out, model, preprocess: recipe({}), task: 'ocr' }, /--recognizer REC\.onnx and --dictionary/],
    [{ out, model, preprocess: recipe({}), task: 'detcet' }, /neither a task kind .* nor an existing task file/],
  ];
  for (const [opts, message] of cases) {
    await assert.rejects(deployWeb(opts), (e) => e instanceof OndeviceError && message.test(e.toString()), String(message));
    assert.ok(!existsSync(out), 'nothing written');
  }
  mkdirSync(out);
  writeFileSync(join(out, 'thesis.tex'), 'precious');
  await assert.rejects(deployWeb({ out, model, preprocess: recipe({}) }), /not written by ondevice/);
  assert.deepEqual(readdirSync(out), ['thesis.tex']);
});

test('a model with external data is refused, naming the model and how to re-save it', async () => {
  const dir = join(work, 'external');
  mkdirSync(dir);
  const model = join(dir, 'ext.onnx');
  await writeOnnx(await readModel(DEFAULT_MODEL.path), model, { externalDataThreshold: 1024 });
  assert.ok(existsSync(`${model}.data`));
  const out = join(dir, 'site');
  await assert.rejects(deployWeb({ model, out, preprocess: DEFAULT_MODEL.preprocess, webgpu: false }), (e) => e instanceof UsageError &&
    e.file === model && /external data \(ext\.onnx\.data\).*re-save it without external data/.test(e.message));
  assert.ok(!existsSync(out), 'nothing written');
});
