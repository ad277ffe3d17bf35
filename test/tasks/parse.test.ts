// Task templates: validation naming file and field, documented defaults, round trips, and tasks guessed from model shapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { BLAZEFACE_SHORT_RANGE_TASK } from '../../src/tasks/detect/postprocess.ts';
import { readFileSync } from 'node:fs';
import { TASK_KINDS } from '../../src/tasks/task.ts';
import { defaultTask, parseTask, TASK_DEFAULTS, TASK_FIELDS } from '../../src/tasks/parse.ts';

const FILE = 'models/x/task.json';

/** parseTask must throw a UsageError naming FILE whose message matches `re`. */
function rejects(json: unknown, re: RegExp): void {
  assert.throws(() => parseTask(json, FILE), (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.equal(e.file, FILE);
    assert.match(e.message, re);
    assert.match(String(e), /^models\/x\/task\.json: bad task template: /);
    return true;
  });
}

describe('parseTask', () => {
  it('fills the documented defaults for each kind', () => {
    assert.deepEqual(parseTask({ task: 'classify' }), { task: 'classify', topK: 5 });
    assert.deepEqual(parseTask({ task: 'segment', output: 'mask' }), { task: 'segment', output: 'mask', activation: 'none', threshold: 0.5, effect: 'blur' });
    assert.deepEqual(parseTask({ task: 'ocr', recognizer: 'rec.onnx', dictionary: 'keys.txt' }), {
      task: 'ocr', recognizer: 'rec.onnx', dictionary: 'keys.txt', threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, recHeight: 48, maxWidth: 1280,
    });
    assert.deepEqual(parseTask({ task: 'audio', sampleRate: 16000, frame: 16000, hop: 8000 }), { task: 'audio', sampleRate: 16000, frame: 16000, hop: 8000, threshold: 0.5 });
    assert.deepEqual(parseTask({ task: 'detect', layout: 'boxes-scores', boxes: 'b', scores: 's' }), {
      task: 'detect', layout: 'boxes-scores', boxes: 'b', scores: 's', boxFormat: 'yxyx', scoreThreshold: 0.5, iouThreshold: 0.3, maxDetections: 100,
    });
    assert.equal(TASK_DEFAULTS.ocr.unclipRatio, 1.5);
  });

  it("BlazeFace's detect task round-trips through JSON; PaddleOCR's with unclipRatio 2.0 keeps it", () => {
    const json = JSON.parse(JSON.stringify(BLAZEFACE_SHORT_RANGE_TASK));
    assert.deepEqual(parseTask(json), { ...json, boxFormat: 'yxyx', maxDetections: 100 });
    const ocr = parseTask({ task: 'ocr', recognizer: 'ch_PP-OCRv4_rec_infer.onnx', dictionary: 'ppocr_keys_v1.txt', unclipRatio: 2.0 });
    assert.equal(ocr.task === 'ocr' && ocr.unclipRatio, 2);
    const audio = { task: 'audio', sampleRate: 16000, frame: 1280, hop: 1280, features: { kind: 'log-mel', mels: 32, fft: 512, window: 400, hopLength: 160 }, output: 'p', threshold: 0.6, labels: 'labels.txt' };
    assert.deepEqual(parseTask(audio), audio);
    const vad = { task: 'audio', sampleRate: 16000, frame: 512, hop: 512, input: 'input', state: [{ input: 'state', output: 'stateN', shape: [2, 1, 128] }], constants: { sr: { dtype: 'int64', value: 16000 }, gain: { dtype: 'float32', value: [0.5, 1] } }, output: 'output', threshold: 0.5 };
    assert.deepEqual(parseTask(vad), vad);
    const parsed = parseTask({ task: 'segment' });
    assert.deepEqual(parseTask(JSON.parse(JSON.stringify(parsed))), parsed);
  });

  it('one clear error per problem, naming the file and the field', () => {
    rejects([], /expected a JSON object/);
    rejects({}, /'task' is required \(one of classify, detect, segment, ocr, audio\)/);
    rejects({ task: 'pose' }, /'task' must be one of classify, detect, segment, ocr, audio, got "pose"/);
    rejects({ task: 'classify', topk: 3 }, /unknown field 'topk' \(known: task, output, softmax, topK, labels\)/);
    rejects({ task: 'classify', topK: 0 }, /'topK' must be an integer ≥ 1, got 0/);
    rejects({ task: 'classify', softmax: 'yes' }, /'softmax' must be true or false, got "yes"/);
    rejects({ task: 'segment', threshold: 1.5 }, /'threshold' must be a number ≥ 0 and ≤ 1, got 1.5/);
    rejects({ task: 'segment', effect: 'sepia' }, /'effect' must be one of overlay, blur, replace, got "sepia"/);
    rejects({ task: 'ocr', dictionary: 'k.txt' }, /'recognizer' is required/);
    rejects({ task: 'ocr', recognizer: 'r', dictionary: 'k', unclipRatio: 0 }, /'unclipRatio' must be a number > 0, got 0/);
    rejects({ task: 'detect', layout: 'ssd-anchors', boxes: 'r', scores: 'c' }, /'anchors' is required for layout 'ssd-anchors'/);
    rejects({ task: 'detect', layout: 'yolo', boxes: 'r', scores: 'c' }, /'layout' must be one of boxes-scores, ssd-anchors/);
    const anchors = JSON.parse(JSON.stringify(BLAZEFACE_SHORT_RANGE_TASK.anchors));
    rejects({ ...BLAZEFACE_SHORT_RANGE_TASK, anchors: { ...anchors, minScale: 'x' } }, /'anchors\.minScale' must be a number > 0, got "x"/);
    rejects({ ...BLAZEFACE_SHORT_RANGE_TASK, anchors: { ...anchors, strides: [8] } }, /'anchors\.strides' needs one stride per layer \(4\), got 1/);
    rejects({ ...BLAZEFACE_SHORT_RANGE_TASK, anchors: { ...anchors, offset: 1 } }, /unknown field 'anchors\.offset'/);
    rejects({ ...BLAZEFACE_SHORT_RANGE_TASK, scales: { x: 128, y: 128, w: 128 } }, /'scales\.h' is required/);
    rejects({ task: 'audio', sampleRate: 16000, frame: 1280 }, /'hop' is required/);
    rejects({ task: 'audio', sampleRate: 16000, frame: 1280, hop: 1280, features: { kind: 'log-mel', mels: 32, fft: 500, window: 400, hopLength: 160 } }, /'features\.fft' must be a power of two, got 500/);
    rejects({ task: 'audio', sampleRate: 16000, frame: 1280, hop: 1280, features: { kind: 'raw', mels: 3 } }, /unknown field 'features\.mels' \(known: kind\)/);
    rejects({ task: 'audio', sampleRate: 16000, frame: 1280, hop: 1280, features: 'mel' }, /'features' must be an object/);
    const a = { task: 'audio', sampleRate: 16000, frame: 512, hop: 512 };
    rejects({ ...a, state: [] }, /'state' must be a non-empty array/);
    rejects({ ...a, state: [{ input: 's', output: 'sN', shape: [2, 0] }] }, /'state\[0\]\.shape' must hold positive integers/);
    rejects({ ...a, state: [{ input: 's', shape: [2] }] }, /'state\[0\]\.output' is required/);
    rejects({ ...a, constants: { sr: { dtype: 'int64', value: 16000.5 } } }, /'constants\.sr\.value' must be an integer/);
    rejects({ ...a, constants: { sr: { dtype: 'int32', value: 1 } } }, /'constants\.sr\.dtype' must be one of float32, int64/);
    rejects({ ...a, constants: { sr: { dtype: 'int64', value: 1, shape: [] } } }, /unknown field 'constants\.sr\.shape'/);
  });
});

describe('defaultTask from model shapes', () => {
  it('masks → segment, [1,N] raw audio → audio, anything else → classify of the first output', () => {
    assert.deepEqual(defaultTask([1, 256, 256, 3], { activation_10: [1, 256, 256, 1] }), { task: 'segment', output: 'activation_10', activation: 'none', threshold: 0.5, effect: 'blur' });
    assert.equal((defaultTask([1, 3, 512, 512], { out: [1, 1, 512, 512] }) as { activation: string }).activation, 'none');
    assert.equal((defaultTask([1, 3, 512, 512], { out: ['batch', 2, 128, 128] }) as { activation: string }).activation, 'softmax');
    assert.equal((defaultTask([1, 144, 256, 3], { m: [1, 144, 256, 2] }) as { activation: string }).activation, 'softmax');
    assert.deepEqual(defaultTask([1, 16000], { scores: [1, 521] }), { task: 'audio', sampleRate: 16000, frame: 16000, hop: 8000, features: { kind: 'raw' }, output: 'scores', threshold: 0.5 });
    assert.deepEqual(defaultTask([1, 3, 224, 224], { logits: [1, 1000] }), { task: 'classify', output: 'logits', topK: 5 });
    assert.equal(defaultTask([1, 28, 28, 1], { probs: [1, 10] }).task, 'classify');
    assert.equal(defaultTask([1, 16], { y: [1, 2] }).task, 'classify', 'a short vector is features, not audio');
    assert.equal(defaultTask([1, 'n'], { y: [1, 2] }).task, 'classify', 'a dynamic length is not assumed to be audio');
    assert.equal(defaultTask([1, 3, 128, 128], { regressors: [1, 896, 16], classificators: [1, 896, 1] }).task, 'classify');
    assert.equal(defaultTask([1, 3, 64, 64], { feat: [1, 4, 4, 1] }).task, 'classify', 'a 4×4 map is not a mask');
    assert.throws(() => defaultTask([1, 3], {}), /no outputs/);
  });

  it('every guessed task is itself a valid task file', () => {
    for (const t of [defaultTask([1, 256, 256, 3], { m: [1, 256, 256, 1] }), defaultTask([1, 16000], { s: [1, 2] }), defaultTask([1, 3, 8, 8], { y: [1, 5] })]) {
      assert.deepEqual(parseTask(JSON.parse(JSON.stringify(t))), t);
    }
  });
});

describe('docs/tasks.md stays true to the code', () => {
  const doc = readFileSync('docs/tasks.md', 'utf8');
  const section = (kind: string) => doc.split(/^## /m).find((s) => s.startsWith(`${kind}\n`)) ?? '';

  it('each kind’s table lists exactly its fields, with the bold defaults TASK_DEFAULTS fills', () => {
    for (const kind of TASK_KINDS) {
      const rows = section(kind).split('\n').map((line) => line.split(/(?<!\\)\|/).map((c) => c.trim()))
        .flatMap((cells) => {
          const name = /^`(\w+)`$/.exec(cells[1] ?? '');
          return name && cells.length >= 5 ? [[cells[0], name[1], cells[3]]] : [];
        });
      assert.deepEqual(rows.map((r) => r[1]).sort(), TASK_FIELDS[kind].filter((f) => f !== 'task').sort(), kind);
      const bold = Object.fromEntries(rows.flatMap((r) => {
        const m = /\*\*`?([^*`]+)`?\*\*/.exec(r[2]);
        return m ? [[r[1], Number.isNaN(Number(m[1])) ? m[1] : Number(m[1])]] : [];
      }));
      assert.deepEqual(bold, { ...TASK_DEFAULTS[kind] }, kind);
    }
  });

  it('every JSON template example parses; BlazeFace’s is the exported task', () => {
    // Examples with a "task" field are templates (the others show evaluate's labels files).
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1])).filter((e) => 'task' in e);
    assert.equal(examples.length, 6);
    for (const e of examples) parseTask(e, 'docs/tasks.md');
    const face = examples.find((e) => e.layout === 'ssd-anchors');
    assert.deepEqual(face, JSON.parse(JSON.stringify(BLAZEFACE_SHORT_RANGE_TASK)));
  });
});
