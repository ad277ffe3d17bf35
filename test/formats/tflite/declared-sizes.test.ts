// The TFLite reader checks what tensors declare against the file: shapes are sizes, constants fill their buffers exactly; the writer keeps dims int32.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileToTflite } from '../../../src/compile/tflite/compile.ts';
import { FormatError } from '../../../src/errors.ts';
import { decodeTflite, encodeTflite, tfliteToIR, type TflModel } from '../../../src/formats/tflite/index.ts';
import { readModel } from '../../../src/formats/registry.ts';
import { PACKAGE_ROOT } from '../../../src/paths.ts';

let dir: string;
let good: Uint8Array;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-sizes-'));
  good = (await compileToTflite(await readModel(join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx')))).bytes;
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh decoded copy of LeNet's .tflite, its first constant tensor, and that tensor's buffer. */
function lenet() {
  const model = decodeTflite(good) as TflModel;
  const sg = model.subgraphs[0];
  const index = sg.tensors.findIndex((t) => t.buffer > 0 && (model.buffers[t.buffer].data?.length ?? 0) > 0);
  return { model, tensor: sg.tensors[index], buffer: model.buffers[sg.tensors[index].buffer] };
}

function refused(model: TflModel, pattern: RegExp): void {
  const file = join(dir, 'm.tflite');
  assert.throws(() => decodeTflite(encodeTflite(model), file), (e: unknown) => {
    assert.ok(e instanceof FormatError, String(e));
    assert.equal(e.file, file);
    assert.ok(!String(e).includes('\n'));
    assert.match(e.message, pattern);
    return true;
  });
}

test('a constant whose buffer is shorter than its shape is refused naming the tensor and both sizes', () => {
  assert.doesNotThrow(() => decodeTflite(encodeTflite(lenet().model)), 'untouched, every constant fills its buffer');
  const { model, tensor, buffer } = lenet();
  const need = buffer.data!.length;
  buffer.data = buffer.data!.subarray(0, need - 4);
  refused(model, new RegExp(`tensor '${tensor.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' \\(\\w+\\[[\\d,]+\\]\\) needs ${need} bytes, its buffer \\d+ holds ${need - 4}`));
});

test('a constant whose shape grows past its data (a dim of 2^25) is refused, not read past the end', () => {
  const { model, tensor } = lenet();
  tensor.shape = [2 ** 25, ...tensor.shape.slice(1)];
  refused(model, /needs \d+ bytes, its buffer \d+ holds/);
});

test('a negative dim in a tensor shape is refused', () => {
  const { model } = lenet();
  model.subgraphs[0].tensors[0].shape = [1, -1, 28, 28];
  refused(model, /shape \[1,-1,28,28\] with a dim that is not a size/);
});

test('a constant retyped to STRING or INT4 must hold a string buffer or packed nibbles for its shape', () => {
  for (const [type, pattern] of [[5, /string tensor '.*': the first string starts at byte \d+|string tensor '.*': a count of -?\d+ strings/], [17, /\(int4\[[\d,]+\]\) needs \d+ bytes, its buffer \d+ holds \d+/]] as const) {
    const { model, tensor } = lenet();
    tensor.type = type;
    refused(model, pattern);
  }
});

test('a well-formed TFLite string buffer reads back as strings', () => {
  const { model, tensor, buffer } = lenet();
  const text = ['ab', '', 'cde'].map((s) => new TextEncoder().encode(s));
  const header = new DataView(new ArrayBuffer(4 * (text.length + 2)));
  header.setInt32(0, text.length, true);
  let at = 4 * (text.length + 2);
  header.setInt32(4, at, true);
  text.forEach((t, i) => header.setInt32(8 + 4 * i, (at += t.length), true));
  buffer.data = new Uint8Array([...new Uint8Array(header.buffer), ...text.flatMap((t) => [...t])]);
  tensor.type = 5;
  tensor.shape = [3];
  const read = tfliteToIR(decodeTflite(encodeTflite(model)));
  const t = read.graph.initializers.get(tensor.name)!;
  assert.equal(t.dtype, 'string');
  assert.deepEqual(t.data.kind === 'strings' && t.data.values.map((v) => new TextDecoder().decode(v)), ['ab', '', 'cde']);
});

test('writing a shape dim past int32 is refused instead of wrapping to a negative dim', () => {
  const { model, tensor } = lenet();
  tensor.shape = [1, 2 ** 31 + 1];
  assert.throws(() => encodeTflite(model), (e: unknown) => e instanceof FormatError && /has dim 2147483649 .*TFLite shapes are int32 sizes/.test(e.message));
});
