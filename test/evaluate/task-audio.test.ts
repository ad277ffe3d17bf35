// evaluate's audio task metrics on a small log-mel voice-activity model built here, over a synthesised .wav with known events.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateTaskMetrics, type AudioMetrics } from '../../src/evaluate/task-metrics/index.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { audioFeatures } from '../../src/tasks/audio/features.ts';
import type { AudioTask } from '../../src/tasks/task.ts';
import { parseTask } from '../../src/tasks/parse.ts';
import { SILERO_TASK, SILERO_V5, speechInSilence } from '../support/speech.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { writeWav } from '../data/data-files.ts';
import { tempDir } from './helpers.ts';

const RATE = 16000;
/** 100 ms frames every 50 ms, 40 log-mels of 25 ms windows every 10 ms: 8 × 40 features a frame. */
const TASK: AudioTask = { task: 'audio', sampleRate: RATE, frame: 1600, hop: 800, features: { kind: 'log-mel', mels: 40, fft: 512, window: 400, hopLength: 160 }, output: 'speech', threshold: 0.5 };
/** Where the synthesised clip is loud (a 220 Hz voice-like buzz with harmonics), in seconds. */
const EVENTS = [{ start: 0.5, end: 1.2 }, { start: 1.8, end: 2.4 }];

/** 3 s of faint noise with the events as loud harmonic bursts. */
function clip(): Float32Array {
  const rand = mulberry32(5);
  const x = new Float32Array(3 * RATE);
  for (let i = 0; i < x.length; i++) {
    const t = i / RATE;
    const on = EVENTS.some((e) => t >= e.start && t < e.end);
    x[i] = 0.003 * (2 * rand() - 1) + (on ? 0.1 * [1, 2, 3, 4].reduce((s, h) => s + Math.sin(2 * Math.PI * 220 * h * t) / h, 0) : 0);
  }
  return x;
}

/** A voice-activity model: mean log-mel energy (MatMul over mels, ReduceMean over time) → sigmoid(scale·(e − bias)). */
function vadModel(bias: number, scale: number) {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('mel', 'float32', [1, 8, 40]);
  const w = b.initializer('mel_mean', 'float32', [40, 1], new Float32Array(40).fill(1 / 40));
  const e = b.op('ReduceMean', [b.op('MatMul', [x, w])], { axes: [1], keepdims: 0 });
  const k = b.initializer('scale', 'float32', [1], Float32Array.of(scale));
  const c = b.initializer('bias', 'float32', [1], Float32Array.of(bias));
  b.op('Sigmoid', [b.op('Mul', [b.op('Sub', [e, c]), k])], {}, { output: 'speech' });
  b.output('speech');
  return b.build();
}

describe('evaluate audio metrics: a log-mel voice-activity model on a synthesised clip', () => {
  const tmp = tempDir();
  const data = join(tmp.dir, 'audio');
  const ref = join(tmp.dir, 'vad.onnx'), fp16 = join(tmp.dir, 'vad.fp16.onnx'), int8 = join(tmp.dir, 'vad.int8.onnx'), late = join(tmp.dir, 'vad.late.onnx');
  let metrics: AudioMetrics;

  before(async () => {
    mkdirSync(data);
    const samples = clip();
    writeWav(join(data, 'speech.wav'), [samples], RATE);
    writeFileSync(join(data, 'events.json'), JSON.stringify({ 'speech.wav': EVENTS }));
    // The decision level: halfway between the mean log-mel energy of a quiet and of a loud frame.
    const energy = (at: number) => { const f = audioFeatures(TASK, samples.subarray(at * RATE, at * RATE + 1600)); return f.reduce((s, v) => s + v, 0) / f.length; };
    await writeModel(vadModel((energy(0.1) + energy(0.8)) / 2, 1), ref);
    await writeModel((await quantizeModel(await readModel(ref), { scheme: 'fp16' })).model, fp16);
    await writeModel((await quantizeModel(await readModel(ref), { scheme: 'int8-dynamic' })).model, int8);
    // A candidate whose decision level is above the loud frames' energy: it hears almost nothing.
    await writeModel(vadModel(energy(0.8) + 1, 1), late);
    metrics = (await evaluateTaskMetrics(TASK, ref, [fp16, int8, late], { data })) as AudioMetrics;
  });
  after(() => tmp.dispose());

  it('frames the clip as the task says and scores the float model against events.json', (t) => {
    t.diagnostic(JSON.stringify(metrics));
    assert.equal(metrics.files, 1);
    assert.equal(metrics.frames, Math.floor((3 * RATE - 1600) / 800) + 1);
    assert.equal(metrics.labelledFrames, metrics.frames);
    const [float] = metrics.models;
    // 1.3 s of 3 s is loud; a frame is labelled by its centre, so the edges may differ by a frame or two each.
    assert.ok(Math.abs(float.positive - 1.3 / 3) < 0.05, `positive ${float.positive}`);
    assert.ok(float.accuracy! >= 0.95, `accuracy ${float.accuracy}`);
    assert.equal(float.agreement, undefined);
  });

  it('fp16 and int8 candidates agree with the float model frame by frame; a shifted decision level does not', () => {
    const [, half, q8, shifted] = metrics.models;
    assert.ok(half.agreement! >= 0.98 && half.maxDifference! < 0.01, `fp16 ${half.agreement} ${half.maxDifference}`);
    assert.ok(q8.agreement! >= 0.95, `int8 ${q8.agreement}`);
    assert.ok(shifted.positive < metrics.models[0].positive / 2, `shifted positive ${shifted.positive}`);
    assert.ok(shifted.agreement! < 0.8 && shifted.accuracy! < 0.8, `shifted ${shifted.agreement} ${shifted.accuracy}`);
    // Agreement counts the frames on the same side: 1 − |the positive shares' difference| when one model's positives are a subset of the other's.
    assert.ok(Math.abs(shifted.agreement! - (1 - (metrics.models[0].positive - shifted.positive))) < 1e-9);
  });

  it('the CLI reads the .wav data by the task file (no recipe), prints --json taskMetrics and writes the HTML table', () => {
    const file = join(tmp.dir, 'vad.task.json');
    writeFileSync(file, JSON.stringify(TASK));
    const report = join(tmp.dir, 'audio.html');
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), 'evaluate', ref, fp16, '--data', data, '--json', '--report', report], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const html = readFileSync(report, 'utf8');
    assert.match(html, /<h2>audio \(task vad\.task\.json\): 1 file, 59 frames \(59 labelled\), threshold 0\.5<\/h2>/);
    assert.match(html, /<td>vad\.fp16\.onnx<\/td><td>[\d.]+%<\/td><td>[\d.]+%<\/td><td>100\.0%<\/td>/);
    const m = JSON.parse(r.stdout).taskMetrics;
    assert.equal(m.taskFile, file);
    assert.deepEqual(m.models.map((x: { positive: number; agreement?: number }) => [x.positive, x.agreement]), metrics.models.slice(0, 2).map((x) => [x.positive, x.agreement]));
  });

  it('a frame that does not fit the model input is one usage error naming the task file', async () => {
    const file = join(tmp.dir, 'vad.task.json');
    await assert.rejects(evaluateTaskMetrics({ ...TASK, frame: 3200 }, ref, [], { data, taskFile: file }),
      (e: Error) => String(e).startsWith(`${file}: the audio task gives 720 values per frame, but vad.onnx's input is [1, 8, 40]`));
  });
});

describe('audio task metrics of a recurrent model (Silero VAD v5: state carried, sr constant) on synthesised speech', () => {
  it('streams each file through the model in order: the float model finds the speech, fp16 agrees', async (t) => {
    const tmp = tempDir();
    const dir = tmp.dir;
    const data = join(dir, 'speech');
    mkdirSync(data);
    const { samples, start, end } = speechInSilence(1, 1.5);
    writeWav(join(data, 'hello.wav'), [samples], 16000);
    writeFileSync(join(data, 'events.json'), JSON.stringify({ 'hello.wav': [{ start, end }] }));
    const fp16 = join(dir, 'vad-fp16.onnx');
    await writeModel((await quantizeModel(await readModel(SILERO_V5), { scheme: 'fp16' })).model, fp16);
    const task = parseTask(SILERO_TASK) as AudioTask;
    const m = (await evaluateTaskMetrics(task, SILERO_V5, [fp16], { data })) as AudioMetrics;
    t.diagnostic(JSON.stringify(m.models));
    assert.equal(m.frames, Math.floor(samples.length / 512));
    assert.ok(m.models[0].accuracy! >= 0.9, `float accuracy against events.json ${m.models[0].accuracy}`);
    assert.ok(m.models[1].agreement! >= 0.97, `fp16 agreement ${m.models[1].agreement}`);
    tmp.dispose();
  });
});
