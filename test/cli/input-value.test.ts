// --input-value on the CLI: vad.onnx quantized from a folder of .wav clips with sr and state fixed, evaluated and profiled; bad values are one-line usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { sineWithNoise, writeWav } from '../data/data-files.ts';

const VAD = join(PACKAGE_ROOT, 'test', 'fixtures', 'torch', 'vad.onnx');
const dir = mkdtempSync(join(tmpdir(), 'ondevice-cli-value-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const clips = join(dir, 'clips');
mkdirSync(clips);
writeWav(join(clips, 'a16k.wav'), [sineWithNoise(16000, 0.3, 440, 51)], 16000);
writeWav(join(clips, 'b8k.wav'), [sineWithNoise(8000, 0.3, 300, 52)], 8000);
const recipe = join(dir, 'vad-recipe.json');
writeFileSync(recipe, JSON.stringify({ input: 'audio', audio: { sampleRate: 16000, frame: 512, hop: 256 } }));

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('quantize vad.onnx w8a8 on .wav clips with --input-value sr=16000 --input-value state=0, then evaluate it the same way', () => {
  const out = join(dir, 'vad-w8a8.onnx');
  const q = ondevice('quantize', VAD, '-o', out, '--scheme', 'w8a8', '--calibration', clips, '--recipe', recipe, '--input-value', 'sr=16000', '--input-value', 'state=0', '--json');
  assert.equal(q.code, 0, q.stderr);
  const report = JSON.parse(q.stdout);
  assert.match(JSON.stringify(report), /audio in .*clips \(2 \.wav files, frames of 512 every 256 samples at 16000 Hz\), with sr=16000, state=0/);
  assert.ok(report.sizes.after < report.sizes.before);
  // The audio recipe travels with the quantized model.
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'vad-w8a8.preprocess.json'), 'utf8')), { input: 'audio', audio: { frame: 512, hop: 256, sampleRate: 16000 } });
  const ev = ondevice('evaluate', VAD, out, '--data', clips, '--recipe', recipe, '--input-value', 'sr=16000', '--input-value', 'state=0', '--json');
  assert.ok(ev.code === 0 || ev.code === 3, ev.stderr);
  const evaluation = JSON.parse(ev.stdout);
  const frames = 2 * (Math.floor((4800 - 512) / 256) + 1);
  assert.equal(evaluation.examples, frames);
  const psnr = evaluation.candidates[0].fidelity.find((f: { output: string }) => f.output === 'prob').psnr;
  assert.ok(psnr > 30, `prob PSNR ${psnr} dB`);
});

test('compile: --input-value sr makes sr a constant (its If folded), a recipe value feeds state for calibration only', () => {
  const both = join(dir, 'vad-both.json');
  writeFileSync(both, JSON.stringify({ inputs: { audio: { audio: { sampleRate: 16000, frame: 512, hop: 256 } }, state: { value: 0 } } }));
  const out = join(dir, 'vad.tflite');
  const c = ondevice('compile', VAD, '--target', 'tflite', '--quantize', 'w8a8', '--calibration', clips, '--recipe', both, '--input-value', 'sr=16000', '-o', out, '--json');
  assert.equal(c.code, 0, c.stderr);
  const inspected = ondevice('inspect', out, '--json');
  assert.equal(inspected.code, 0, inspected.stderr);
  const inputs = JSON.parse(inspected.stdout).inputs.map((i: { name: string }) => i.name);
  assert.deepEqual(inputs, ['audio', 'state'], 'sr is folded away, state stays an input');
});

test('profile feeds --input-value and random data for the rest', () => {
  const r = ondevice('profile', VAD, '--input-value', 'sr=8000', '--input-value', 'state=0', '--runs', '3', '--warmup', '1', '--no-per-op', '--json');
  assert.equal(r.code, 0, r.stderr);
  const profile = JSON.parse(r.stdout);
  assert.equal(profile.runs, 3);
  assert.deepEqual(profile.inputs.map((i: { name: string; dims: number[] }) => [i.name, i.dims]), [['audio', [1, 512]], ['state', [2, 1, 64]], ['sr', []]]);
});

test('bad or missing values are one-line usage errors (exit 2) naming the input', () => {
  const cases: [string[], RegExp][] = [
    [['quantize', VAD, '-o', join(dir, 'x.onnx'), '--scheme', 'w8a8', '--calibration', clips, '--recipe', recipe, '--input-value', 'rate=16000'], /--input-value names 'rate', which is not a model input \(inputs: audio, state, sr\)/],
    [['quantize', VAD, '-o', join(dir, 'x.onnx'), '--scheme', 'w8a8', '--calibration', clips, '--recipe', recipe, '--input-value', 'sr=16000'], /the data has nothing for model input 'state' .*--input-value state=/],
    [['evaluate', VAD, VAD, '--data', clips, '--recipe', recipe, '--input-value', 'sr=16k', '--input-value', 'state=0'], /--input-value sr: '16k' is not an integer \(input 'sr' is int64\)/],
    [['profile', VAD, '--input-value', 'state=1,2'], /input 'state' has shape \[2,1,64\] \(128 values\)/],
    [['compile', VAD, '--target', 'onnx', '-o', join(dir, 'x.onnx'), '--input-value', 'sr=abc'], /--input-value sr: 'abc' is not an integer/],
  ];
  for (const [args, message] of cases) {
    const r = ondevice(...args);
    assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
  assert.ok(!existsSync(join(dir, 'x.onnx')), 'nothing written');
});

test('evaluate a model compiled with --input-value (sr folded, the input gone) against the original fed the same value', () => {
  const compiled = join(dir, 'vad-sr16k.onnx');
  const c = ondevice('compile', VAD, '--target', 'onnx', '-o', compiled, '--input-value', 'sr=16000');
  assert.equal(c.code, 0, c.stderr);
  const ev = ondevice('evaluate', VAD, compiled, '--data', clips, '--recipe', recipe, '--input-value', 'sr=16000', '--input-value', 'state=0', '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const fidelity: { output: string; psnr: number }[] = JSON.parse(ev.stdout).candidates[0].fidelity;
  // The folded branch is the one the original takes at 16 kHz: the same computation.
  for (const f of fidelity) assert.ok(f.psnr >= 100, `${f.output}: ${f.psnr} dB`);
  // Without the value the candidate really lacks an input the reference needs.
  const bad = ondevice('evaluate', VAD, compiled, '--data', clips, '--recipe', recipe, '--input-value', 'state=0');
  assert.notEqual(bad.code, 0);
});
