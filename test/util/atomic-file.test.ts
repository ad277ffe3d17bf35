// Atomic writes: the whole file or nothing, and failures name the final file (never the hidden temp file).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { writeFileAtomic } from '../../src/util/atomic-file.ts';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-atomic-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('writes the bytes and leaves no temp file', () => {
  const out = join(dir, 'a.bin');
  writeFileAtomic(out, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(out)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['a.bin']);
});

test('a missing output folder is a UsageError naming the output file', () => {
  const out = join(dir, 'nodir', 'x.tflite');
  assert.throws(() => writeFileAtomic(out, new Uint8Array(4)), (e) => e instanceof UsageError && e.file === out &&
    e.message === `cannot write: no such folder ${join(dir, 'nodir')}` && !e.message.includes('.tmp'));
});

test('an output path that is a folder: the rename fails, named for the output, and the temp file is removed', () => {
  const out = join(dir, 'taken');
  mkdirSync(join(out, 'inner'), { recursive: true });
  assert.throws(() => writeFileAtomic(out, new Uint8Array(4)), (e) => e instanceof UsageError && e.file === out && /^cannot write: /.test(e.message));
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')));
});
