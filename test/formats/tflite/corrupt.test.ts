// Corrupt .tflite bytes: every read either succeeds or throws a FormatError naming the file — never a heap-exhausting
// allocation or a crash (vector lengths and offsets read from the file are checked against the buffer).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFile } from '../../../src/compile/compile.ts';
import { FormatError } from '../../../src/errors.ts';
import { readModel } from '../../../src/formats/registry.ts';
import { decodeTflite } from '../../../src/formats/tflite/index.ts';
import { PACKAGE_ROOT } from '../../../src/paths.ts';
import { mulberry32 } from '../../../src/util/random.ts';

let dir: string;
let good: Uint8Array;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-corrupt-'));
  await compileFile(join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx'), join(dir, 'lenet.tflite'), { target: 'tflite' });
  good = new Uint8Array(readFileSync(join(dir, 'lenet.tflite')));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Decodes `bytes` as `file`: true when it decoded, false for a FormatError naming the file; anything else fails. */
function decodes(bytes: Uint8Array, file: string, what: string): boolean {
  try {
    decodeTflite(bytes, file);
    return true;
  } catch (e) {
    assert.ok(e instanceof FormatError, `${what}: ${(e as Error).stack}`);
    assert.equal(e.file, file, what);
    return false;
  }
}

function corrupt(at: number, values: number[]): Uint8Array {
  const bytes = good.slice();
  bytes.set(values, at);
  return bytes;
}

test('a huge vector length (two bytes changed) is a FormatError, not a heap-exhausting allocation', async () => {
  const model = decodeTflite(good);
  // The length word before each vector: the largest weight buffer, a tensor shape, the tensors of subgraph 0.
  const weights = model.buffers.map((b) => b.data).filter((d) => d && d.length > 0).sort((a, b) => b!.length - a!.length)[0]!;
  const weightsLen = weights.byteOffset - good.byteOffset - 4;
  assert.equal(new DataView(good.buffer, good.byteOffset).getUint32(weightsLen, true), weights.length);
  const find = (values: number[]) => {
    // a little-endian uint32 length followed by int32 values: the first such vector in the file
    const want = new Uint8Array(new Int32Array([values.length, ...values]).buffer);
    for (let i = 0; i + want.length <= good.length; i += 4) if (want.every((v, j) => good[i + j] === v)) return i;
    throw new Error(`no vector [${values}]`);
  };
  const shape = find(model.subgraphs[0].tensors[0].shape);
  for (const [name, at] of [['weights', weightsLen], ['shape', shape]] as const) {
    const bytes = corrupt(at + 2, [0xff, 0x7f]);
    assert.equal(decodes(bytes, `${name}.tflite`, name), false, name);
    const file = join(dir, `${name}.tflite`);
    writeFileSync(file, bytes);
    await assert.rejects(readModel(file), (e) => e instanceof FormatError && e.file === file && /outside the \d+-byte buffer/.test(e.message));
  }
  // The root offset pointing past the end, and into the middle of the file.
  assert.equal(decodes(corrupt(0, [0xff, 0xff, 0xff, 0x7f]), 'root.tflite', 'root'), false);
  decodes(corrupt(0, [0x10, 0x00]), 'root2.tflite', 'root2');
});

test('200 seeded random 1–2 byte corruptions of a compiled LeNet: each decodes or is a FormatError naming the file', () => {
  const random = mulberry32(20240607);
  let failed = 0;
  for (let i = 0; i < 200; i++) {
    const bytes = good.slice();
    const n = 1 + Math.floor(random() * 2);
    // Half the corruptions hit the first 1 KiB (tables, vtables, offsets), the rest anywhere.
    const span = i % 2 ? good.length : Math.min(1024, good.length);
    const changes: string[] = [];
    for (let k = 0; k < n; k++) {
      const at = Math.floor(random() * span);
      bytes[at] = Math.floor(random() * 256);
      changes.push(`${at}=${bytes[at]}`);
    }
    if (!decodes(bytes, 'fuzz.tflite', `corruption ${i} (${changes.join(', ')})`)) failed++;
  }
  assert.ok(failed > 0, 'some corruptions are detected');
});
