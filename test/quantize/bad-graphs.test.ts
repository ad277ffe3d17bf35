// The tester's broken LeNets (ghost output, STRING bias, int8+int64 Concat) are one-line GraphErrors at every entry point, never a TypeError or raw Error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../src/compile/compile.ts';
import { compileToTflite } from '../../src/compile/tflite/compile.ts';
import { GraphError } from '../../src/errors.ts';
import { decodeOnnx } from '../../src/formats/onnx/index.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { inspectModel } from '../../src/inspect.ts';
import type { Model } from '../../src/ir/graph.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';

const BROKEN: Record<string, { mutate: (m: Model) => void; message: RegExp }> = {
  'graph output no node produces': {
    mutate: (m) => { m.graph.outputs.push({ name: 'ghost', type: { kind: 'tensor', dtype: 'float32', shape: [1] } }); },
    message: /graph output 'ghost' is never produced/,
  },
  'STRING bias': {
    mutate: (m) => {
      const bias = m.graph.initializers.get('conv1.bias')!;
      bias.dtype = 'string';
      bias.data = { kind: 'strings', values: Array.from({ length: bias.dims[0] }, () => new TextEncoder().encode('b')) };
    },
    message: /node '\/conv1\/Conv': Conv: input 2 \('conv1\.bias'\) is string/,
  },
  'Concat of int8 and int64 constants': {
    mutate: (m) => {
      m.graph.initializers.set('a', { name: 'a', dtype: 'int8', dims: [2], data: { kind: 'bytes', bytes: new Uint8Array(2) } });
      m.graph.initializers.set('b', { name: 'b', dtype: 'int64', dims: [2], data: { kind: 'bytes', bytes: new Uint8Array(16) } });
      m.graph.nodes.push({ op: 'Concat', domain: '', name: 'cat', inputs: ['a', 'b'], outputs: ['c'], attributes: new Map([['axis', { type: 'int', value: 0 }]]) });
      m.graph.outputs.push({ name: 'c', type: { kind: 'unknown' } });
    },
    message: /node 'cat': Concat: input dtypes differ: int8 \(input 0\) and int64 \(input 1\)/,
  },
};

function broken(name: string): Model {
  const model = decodeOnnx(readFileSync(DEFAULT_MODEL.path), DEFAULT_MODEL.path);
  BROKEN[name].mutate(model);
  return model;
}

/** Rejects with a one-line GraphError matching `message` (and naming `file` when given). */
function graphError(message: RegExp, file?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof GraphError, e instanceof Error ? e.stack : String(e));
    assert.match(e.message, message);
    assert.ok(!String(e).includes('\n'), String(e));
    if (file) assert.equal(e.file, file);
    return true;
  };
}

for (const name of Object.keys(BROKEN)) {
  test(`${name}: quantizeModel (fp16, int8-dynamic) and compileToTflite refuse the model in memory`, async () => {
    for (const scheme of ['fp16', 'int8-dynamic'] as const) {
      await assert.rejects(quantizeModel(broken(name), { scheme }), graphError(BROKEN[name].message), `${scheme}`);
    }
    await assert.rejects(compileToTflite(broken(name)), graphError(BROKEN[name].message));
  });
}

test('STRING bias in a file: inspect and compile (onnx, tflite) name the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-bad-graph-'));
  try {
    const file = join(dir, 'string-bias.onnx');
    await writeModel(broken('STRING bias'), file);
    const { message } = BROKEN['STRING bias'];
    await assert.rejects(inspectModel(file), graphError(message, file));
    for (const target of ['onnx', 'tflite'] as const) {
      await assert.rejects(compileFile(file, join(dir, `out.${target}`), { target }), graphError(message, file), target);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
