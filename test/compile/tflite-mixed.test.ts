// int8 TFLite with nodes kept float: --exclude turns the ops of listed nodes (by name or op type) into float32 islands
// behind DEQUANTIZE/QUANTIZE that run in LiteRT.js; --mixed-target-psnr finds the list and measures the .tflite in LiteRT.js.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileToTflite, type TfliteCompileOptions } from '../../src/compile/compile.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { readModel } from '../../src/formats/registry.ts';
import { builtinName } from '../../src/formats/tflite/schema/enums.ts';
import type { TflModel } from '../../src/formats/tflite/schema/types.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { compare, runOnce } from './parity.ts';

const LENET = join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx');
const SHAPES = { input: [4, 1, 28, 28] };
const cli = (args: string[]) => spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/ondevice.js'), ...args], { encoding: 'utf8' });
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-mixed-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

async function compileLenet(name: string, options: TfliteCompileOptions) {
  const result = await compileToTflite(await readModel(LENET), { inputShapes: SHAPES, calibration: mnistSource('train'), limit: 64, ...options });
  const path = join(dir, name);
  writeFileSync(path, result.bytes);
  return { ...result, path };
}

/** Per operator: its TFLite name and the types of its non-constant inputs and outputs, and of its weight (input 1). */
function operators(tfl: TflModel): { op: string; io: string[]; weight?: string }[] {
  const sg = tfl.subgraphs[0];
  const type = (i: number) => String(sg.tensors[i].type);
  const constant = (i: number) => (tfl.buffers[sg.tensors[i].buffer]?.data?.length ?? 0) > 0;
  return sg.operators.map((o) => ({
    op: builtinName(tfl.operator_codes[o.opcode_index].builtin_code),
    io: [...o.inputs.filter((i) => i >= 0 && !constant(i)), ...o.outputs].map(type),
    ...(o.inputs[1] !== undefined && o.inputs[1] >= 0 && constant(o.inputs[1]) ? { weight: type(o.inputs[1]) } : {}),
  }));
}

const count = (ops: { op: string }[], name: string) => ops.filter((o) => o.op === name).length;

test('excluding the Conv op type keeps both CONV_2D float32 (weights too) behind DEQUANTIZE/QUANTIZE; the rest stays int8', async () => {
  const plain = await compileLenet('plain.tflite', { quantize: 'w8a8' });
  const mixed = await compileLenet('conv-float.tflite', { quantize: 'w8a8', exclude: ['Conv'] });
  const [p, m] = [operators(plain.tflite), operators(mixed.tflite)];
  const convTypes = (ops: typeof p) => ops.filter((o) => o.op === 'CONV_2D').map((o) => [...new Set([...o.io, o.weight])].join('/'));
  const FLOAT = String(0), INT8 = String(9); // TensorType FLOAT32, INT8
  assert.deepEqual(convTypes(p), [INT8, INT8]);
  assert.deepEqual(convTypes(m), [FLOAT, FLOAT]);
  assert.ok(m.filter((o) => o.op === 'FULLY_CONNECTED').every((o) => o.io.every((t) => t === INT8) && o.weight === INT8));
  // The input's layout TRANSPOSE joins the first conv's island, so the float input needs no QUANTIZE (plain has one);
  // each conv hands back through one QUANTIZE, the second reads through one DEQUANTIZE (plain: one, at the output).
  assert.equal(count(p, 'QUANTIZE'), 1);
  assert.equal(count(m, 'QUANTIZE'), 2);
  assert.equal(count(m, 'DEQUANTIZE') - count(p, 'DEQUANTIZE'), 1);
  assert.equal(m[0].op, 'TRANSPOSE');
  assert.deepEqual(m[0].io, [FLOAT, FLOAT]);
  assert.deepEqual(mixed.report.floatOps, { float: 3, total: plain.report.floatOps!.total });
  assert.equal(plain.report.floatOps!.float, 0);
  assert.ok(mixed.bytes.byteLength > plain.bytes.byteLength, 'float conv weights take 4 bytes each');
  // It runs in LiteRT.js and follows the float32 .tflite as closely as plain int8 does (on LeNet the int8 error is mostly
  // the FC layers', so keeping the convs float gains little; a broken float island would lose far more than 1 dB).
  const fp32 = await compileLenet('fp32.tflite', {});
  const batch = (await mnistSource('test').batches(4, 4)[Symbol.asyncIterator]().next()).value!;
  const x = batch.inputs.input;
  const ref = await runOnce(litertRuntime, fp32.path, x);
  const [pp, mp] = [compare(ref, await runOnce(litertRuntime, plain.path, x)).psnr, compare(ref, await runOnce(litertRuntime, mixed.path, x)).psnr];
  assert.ok(mp >= pp - 1 && mp >= 30, `PSNR plain ${pp.toFixed(1)} dB, convs float ${mp.toFixed(1)} dB`);
});

test('excluding one node by name keeps only its op (and the input TRANSPOSE before it) float', async () => {
  const name = (await readModel(LENET)).graph.nodes.find((n) => n.op === 'Conv')!.name;
  const { tflite, report } = await compileLenet('one.tflite', { quantize: 'w8a8', exclude: [name] });
  const convs = operators(tflite).filter((o) => o.op === 'CONV_2D').map((o) => o.weight);
  assert.deepEqual(convs, [String(0), String(9)]);
  assert.equal(report.floatOps!.float, 2);
});

test('an --exclude entry naming no node is a one-line usage error, before anything is written', () => {
  const out = join(dir, 'typo.tflite');
  const r = cli(['compile', LENET, '--target', 'tflite', '--quantize', 'w8a8', '--calibration', 'mnist:train', '--limit', '8', '--exclude', 'Conv,/conv9/Typo', '-o', out]);
  assert.equal(r.status, 2, r.stderr); // a usage error
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /--exclude.*'\/conv9\/Typo'/);
  assert.ok(!existsSync(out));
});

test('compile --mixed-target-psnr finds nodes to keep float, writes the model and reports search and LiteRT.js PSNR', () => {
  const out = join(dir, 'auto.tflite');
  const r = cli(['compile', LENET, '--target', 'tflite', '--quantize', 'w8a8', '--calibration', 'mnist:train', '--limit', '32', '--validation', 'mnist:test',
    '--input-shape', 'input=1,1,28,28', '--mixed-target-psnr', '45', '--mixed-strategy', 'prefix', '-o', out, '--json']);
  assert.ok(r.status === 0 || r.status === 3, r.stderr);
  const report = JSON.parse(r.stdout);
  const m = report.mixedPrecision;
  console.log(`LeNet mixed 45 dB: ${JSON.stringify(m.rounds.map((x: { exclude: string[] }) => ({ ...x, exclude: x.exclude.length })))}`);
  const last = m.rounds[m.rounds.length - 1];
  assert.equal(m.met, last.litertPsnr >= 45);
  assert.equal(r.status, m.met ? 0 : 3);
  assert.ok(last.exclude.length > 0 && last.floatOps.float > 0, 'something was kept float');
  assert.ok(Number.isFinite(last.searchPsnr) && Number.isFinite(last.litertPsnr));
  assert.ok(existsSync(out));
  assert.equal(report.floatOps.float, last.floatOps.float);
});
