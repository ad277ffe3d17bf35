// The files task metrics read — task file lookup, boxes.json, rec labels, events.json — and their one-line errors.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { checkTaskOutputs, findEvaluationTask, readAudioEvents, readBoxLabels, readTextLineLabels } from '../../src/evaluate/task-metrics/index.ts';
import { tempDir } from './helpers.ts';

const usage = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(String(e)) && !String(e).includes('\n');

describe('task metrics files', () => {
  const tmp = tempDir();
  after(() => tmp.dispose());
  const write = (name: string, text: string) => {
    const p = join(tmp.dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('finds MODEL.task.json before task.json beside the reference, takes --task over both, and none without a file', () => {
    mkdirSync(join(tmp.dir, 'm'));
    const ref = join(tmp.dir, 'm', 'face.onnx');
    assert.equal(findEvaluationTask(ref), undefined);
    writeFileSync(join(tmp.dir, 'm', 'task.json'), JSON.stringify({ task: 'segment' }));
    assert.equal(findEvaluationTask(ref)?.task.task, 'segment');
    writeFileSync(join(tmp.dir, 'm', 'face.task.json'), JSON.stringify({ task: 'audio', sampleRate: 16000, frame: 16000, hop: 8000 }));
    assert.equal(findEvaluationTask(ref)?.file, join(tmp.dir, 'm', 'face.task.json'));
    const given = write('given.json', JSON.stringify({ task: 'classify' }));
    assert.deepEqual(findEvaluationTask(ref, given), { task: { task: 'classify', topK: 5 }, file: given });
    assert.throws(() => findEvaluationTask(ref, write('bad.json', '{ "task": "detect" ')), usage(/bad\.json: task file is not valid JSON/));
    assert.throws(() => findEvaluationTask(ref, write('typo.json', '{ "task": "segment", "treshold": 0.5 }')), usage(/typo\.json: bad task template: unknown field 'treshold'/));
    assert.throws(() => findEvaluationTask(ref, join(tmp.dir, 'missing.json')), usage(/missing\.json: cannot read task file/));
  });

  it('checks the outputs a task names against the model\'s, naming the task file', () => {
    const task = { task: 'detect' as const, layout: 'boxes-scores' as const, boxes: 'boxes', scores: 'scores' };
    assert.doesNotThrow(() => checkTaskOutputs(task, [{ name: 'boxes' }, { name: 'scores' }], 'det.onnx', 'det.task.json'));
    assert.throws(() => checkTaskOutputs(task, [{ name: 'boxes' }, { name: 'logits' }], 'm/det.onnx', 'det.task.json'),
      usage(/^det\.task\.json: the detect task reads output 'scores', but det\.onnx has outputs 'boxes', 'logits'$/));
  });

  it('reads boxes.json: classes by index or by name, [] for no objects, difficult flags', () => {
    const file = write('boxes.json', JSON.stringify({
      'a.png': [{ xmin: 0.1, ymin: 0.2, xmax: 0.5, ymax: 0.6 }, { xmin: 0, ymin: 0, xmax: 1, ymax: 1, label: 'cat', difficult: true }],
      './sub\\b.png': [], 'c.png': [{ xmin: 0.1, ymin: 0.1, xmax: 0.2, ymax: 0.2, label: 2 }],
    }));
    const gt = readBoxLabels(file, ['dog', 'cat']);
    assert.deepEqual(gt.get('a.png'), [{ box: { xmin: 0.1, ymin: 0.2, xmax: 0.5, ymax: 0.6 }, classId: 0 }, { box: { xmin: 0, ymin: 0, xmax: 1, ymax: 1 }, classId: 1, difficult: true }]);
    assert.deepEqual(gt.get('sub/b.png'), []);
    assert.equal(gt.get('c.png')?.[0].classId, 2);
  });

  it('refuses a bad boxes.json with one line naming the file and the entry', () => {
    const bad = (json: unknown, pattern: RegExp, names?: string[]) => assert.throws(() => readBoxLabels(write('bad-boxes.json', JSON.stringify(json)), names), usage(pattern));
    bad([], /bad-boxes\.json: bad boxes file: expected an object/);
    bad({ 'a.png': {} }, /'a\.png' must map to a list of boxes/);
    bad({ 'a.png': [{ xmin: 0.1, ymin: 0.2, xmax: 1.5, ymax: 0.6 }] }, /'a\.png'\[0\]\.xmax must be a number in \[0, 1\]/);
    bad({ 'a.png': [{ xmin: 0.5, ymin: 0.2, xmax: 0.4, ymax: 0.6 }] }, /'a\.png'\[0\] is empty or inverted/);
    bad({ 'a.png': [{ xmin: 0.1, ymin: 0.2, xmax: 0.4, ymax: 0.6, label: 'cat' }] }, /'cat' is not a class name \(the task names no labels file/);
    bad({ 'a.png': [{ xmin: 0.1, ymin: 0.2, xmax: 0.4, ymax: 0.6, label: 'cow' }] }, /'cow' is not a class name$/, ['dog']);
    bad({ 'a.png': [{ x: 0.1, ymin: 0.2, xmax: 0.4, ymax: 0.6 }] }, /unknown field 'x'/);
  });

  it('reads PaddleOCR rec labels (IMAGE<TAB>TEXT, relative to the file) and refuses a line without a tab or a missing image', () => {
    mkdirSync(join(tmp.dir, 'lines'));
    writeFileSync(join(tmp.dir, 'lines', 'x.png'), '');
    writeFileSync(join(tmp.dir, 'lines', 'rec_gt.txt'), 'x.png\thello world\r\n\nx.png\tsecond\ttab\n');
    const { lines } = readTextLineLabels(join(tmp.dir, 'lines'));
    assert.deepEqual(lines, [{ image: join(tmp.dir, 'lines', 'x.png'), text: 'hello world' }, { image: join(tmp.dir, 'lines', 'x.png'), text: 'second\ttab' }]);
    assert.throws(() => readTextLineLabels(write('notab.txt', 'x.png hello\n')), usage(/notab\.txt: line 1 is not 'IMAGE<TAB>TEXT'/));
    assert.throws(() => readTextLineLabels(write('noimg.txt', 'lines/x.png\tok\nnope.png\thello\n')), usage(/noimg\.txt: line 2: no such image 'nope\.png'/));
  });

  it('reads events.json and refuses events that end before they start', () => {
    const ev = readAudioEvents(write('events.json', JSON.stringify({ 'a.wav': [{ start: 0.5, end: 1 }], 'b.wav': [] })));
    assert.deepEqual([...ev], [['a.wav', [{ start: 0.5, end: 1 }]], ['b.wav', []]]);
    assert.throws(() => readAudioEvents(write('bad-events.json', JSON.stringify({ 'a.wav': [{ start: 1, end: 0.5 }] }))), usage(/bad-events\.json: bad events file: 'a\.wav'\[0\] must be/));
  });
});
