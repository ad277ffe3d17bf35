// Found by the fuzzer: names read from a corrupt file may hold line breaks; errors that quote them stay one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../../../src/errors.ts';
import { readOnnx } from '../../../src/formats/onnx/read.ts';
import { encodeModelProto } from '../../../src/formats/onnx/proto.ts';
import { tempDir } from './helpers.ts';

test('an attribute name with a line break in an error message is escaped, the error stays one line', async () => {
  const bytes = encodeModelProto({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: { name: 'g', node: [{ op_type: 'Constant', name: 'k\r\nonst', output: ['y'], attribute: [{ name: 'val\nue', type: 4 }] }], output: [{ name: 'y' }] },
  });
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'm.onnx');
    writeFileSync(file, bytes);
    await assert.rejects(readOnnx(file), (e: unknown) => {
      assert.ok(e instanceof FormatError, String(e));
      assert.equal(e.toString().split('\n').length, 1, e.toString());
      assert.equal(e.message, "onnx: node 'k\\r\\nonst' attribute 'val\\nue' has no value");
      return true;
    });
  } finally {
    cleanup();
  }
});
