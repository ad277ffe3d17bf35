// The Core ML structural validator: a valid package has no problems; each broken variant is flagged with what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCoreMlModel, validateCoreMlPackage } from '../../src/formats/coreml/validate.ts';
import { writeCoreMlPackage } from '../../src/formats/coreml/write.ts';
import { decodeModelMsg, encodeModelMsg } from '../../src/formats/coreml/proto.ts';
import type { CoreMlModel, MilOperation, MinIos } from '../../src/formats/coreml/program.ts';
import { buildModel } from './coreml-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-coreml-validate-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const MODEL = 'Data/com.apple.CoreML/model.mlmodel';
const WEIGHTS = 'Data/com.apple.CoreML/weights/weight.bin';

let n = 0;
async function written(model: CoreMlModel): Promise<string> {
  const out = join(dir, `m${n++}.mlpackage`);
  await writeCoreMlPackage(model, out);
  return out;
}

/** The fixture for `ios` after `change`, validated in memory and as a written package (both must report `pattern`). */
async function problemsOf(ios: MinIos, change: (m: CoreMlModel, ops: MilOperation[]) => void): Promise<string[]> {
  const model = buildModel(ios);
  change(model, model.program.functions.main.operations);
  const inMemory = validateCoreMlModel(model);
  const onDisk = await validateCoreMlPackage(await written(model));
  assert.deepEqual(onDisk, inMemory, 'the package and the in-memory model give the same problems');
  return onDisk;
}

function flags(problems: string[], pattern: RegExp) {
  assert.ok(problems.some((p) => pattern.test(p)), `expected a problem matching ${pattern}, got ${JSON.stringify(problems)}`);
}

const opNamed = (ops: MilOperation[], out: string) => ops.find((o) => o.outputs[0].name === out)!;

test('the fixture is valid for every target', async () => {
  for (const ios of [15, 16, 17, 18] as const) assert.deepEqual(await validateCoreMlPackage(await written(buildModel(ios))), [], `iOS ${ios}`);
});

test('wrong opset for the specification version; an op or a dtype newer than the opset', async () => {
  flags(await problemsOf(18, (m) => { m.specificationVersion = 8; }), /opset CoreML8 does not match specification version 8 \(iOS 17\), which has CoreML7/);
  flags(await problemsOf(16, (m) => { m.specificationVersion = 5; }), /specification version 5 is not one ondevice targets/);
  // iOS 18's blockwise op and int4 in an iOS 17 program.
  const ios18 = buildModel(18).program.functions.main.operations;
  const problems = await problemsOf(17, (_m, ops) => { ops.splice(ops.length - 3, 0, opNamed(ios18, 'w_q4')); });
  flags(problems, /op 'w_q4' \(constexpr_blockwise_shift_scale\): constexpr_blockwise_shift_scale needs opset CoreML8 or later, the function has CoreML7/);
  flags(problems, /int4 data needs opset CoreML8 \(iOS 18\), the function has CoreML7/);
  // constexpr_affine_dequantize first appears in CoreML6.
  const ios16 = buildModel(16).program.functions.main.operations;
  flags(await problemsOf(15, (_m, ops) => { ops.splice(1, 0, opNamed(ios16, 'w_q8')); }), /constexpr_affine_dequantize needs opset CoreML6 or later, the function has CoreML5/);
  flags(await problemsOf(15, (_m, ops) => { opNamed(ops, 'relu_out').type = 'relu_banana'; }), /'relu_banana' is not a MIL op/);
});

test('parameters: a required one missing, an unknown one, several bindings for a single parameter', async () => {
  flags(await problemsOf(17, (_m, ops) => { delete opNamed(ops, 'conv_out').inputs.weight; }), /op 'conv_out' \(conv\): required parameter 'weight' is missing/);
  flags(await problemsOf(17, (_m, ops) => { opNamed(ops, 'relu_out').inputs.alpha = [{ name: 'flat' }]; }), /op 'relu_out' \(relu\): unknown parameter 'alpha'/);
  flags(await problemsOf(17, (_m, ops) => { opNamed(ops, 'relu_out').inputs.x.push({ name: 'image' }); }), /parameter 'x' has 2 bindings, expected 1/);
  const int4 = (ops: MilOperation[]) => (opNamed(ops, 'w_q4').inputs.data[0] as { value: { data: Int8Array } }).value.data;
  flags(validateCoreMlModel((() => { const m = buildModel(18); int4(m.program.functions.main.operations)[3] = 9; return m; })()), /input 'data': int4 element 3 is 9, outside \[-8, 7\]/);
  // gather's batch_dims arrived in CoreML6.
  const gather: MilOperation = { type: 'gather', inputs: { x: [{ name: 'flat' }], indices: [{ name: 'flat' }], batch_dims: [{ name: 'flat' }] }, outputs: [{ name: 'g', type: { dtype: 'fp32', shape: [1] } }], attributes: {} };
  flags(await problemsOf(15, (_m, ops) => { ops.splice(4, 0, gather); }), /unknown parameter 'batch_dims' \(gather in CoreML5 takes x, indices, axis\)/);
});

test('bindings: an unbound input, a name defined twice, a function output nobody computes', async () => {
  flags(await problemsOf(16, (_m, ops) => { opNamed(ops, 'relu_out').inputs.x = [{ name: 'nope' }]; }), /op 'relu_out' \(relu\): input 'x' names 'nope', which is not a function input or an output of an earlier op/);
  // Using a value before the op that computes it is unbound too.
  flags(await problemsOf(16, (_m, ops) => { const i = ops.findIndex((o) => o.outputs[0].name === 'relu_out'); [ops[i - 1], ops[i]] = [ops[i], ops[i - 1]]; }), /input 'x' names 'conv_out', which is not/);
  flags(await problemsOf(16, (_m, ops) => { opNamed(ops, 'relu_out').outputs[0].name = 'conv_out'; }), /output name 'conv_out' is already defined/);
  flags(await problemsOf(16, (m) => { m.program.functions.main.outputs[0] = 'ghost'; }), /output 'ghost' is not defined by any op or input/);
});

test('I/O: description vs the function signature (names, multi-array shape and dtype, image tensor, classifier outputs)', async () => {
  flags(await problemsOf(17, (m) => { m.description.inputs[0].name = 'picture'; }), /description inputs \(picture\) differ from the function's inputs \(image\)/);
  flags(await problemsOf(17, (m) => { m.description.inputs[0].type = { kind: 'image', width: 9, height: 8, colorSpace: 'RGB' }; }), /a 9×8 RGB image must be fp32\[1, 3, 8, 9\] in the program, it is fp32\[1, 3, 8, 8\]/);
  flags(await problemsOf(17, (m) => { m.description.inputs[0].type = { kind: 'image', width: 8, height: 8, colorSpace: 'GRAYSCALE' }; }), /GRAYSCALE image must be fp32\[1, 1, 8, 8\]/);
  flags(await problemsOf(17, (m) => { m.description.outputs[0].type = { kind: 'multiArray', dtype: 'float16', shape: [1, 10] }; }), /'logits': described as float16 \[1, 10\], the program has fp32\[1, 10\]/);
  flags(await problemsOf(17, (m) => { m.description.outputs[0].type = { kind: 'multiArray', dtype: 'float32', shape: [10] }; }), /described as float32 \[10\], the program has fp32\[1, 10\]/);
  flags(await problemsOf(17, (m) => { m.description.outputs[1].type = { kind: 'int64' }; }), /'classLabel': described as a int64, the program has string\[\]/);
  flags(await problemsOf(17, (m) => { m.description.predictedProbabilitiesName = 'probabilities'; }), /predictedProbabilitiesName 'probabilities' is not a model output/);
  flags(await problemsOf(17, (m, ops) => { ops.splice(ops.length - 1, 1); m.program.functions.main.outputs = ['logits']; m.description.outputs = m.description.outputs.slice(0, 1); }), /predictedFeatureName 'classLabel' is set but the program has no classify op/);
});

/** A valid iOS 18 package with `patch` applied to its raw files. */
async function patched(patch: (out: string) => void): Promise<string[]> {
  const out = await written(buildModel(18));
  patch(out);
  return validateCoreMlPackage(out);
}

test('stored form: corrupt sentinel, truncated weight file, blob dtype vs declared type, block key ≠ opset, broken manifest', async () => {
  flags(await patched((out) => {
    const bin = readFileSync(join(out, WEIGHTS));
    bin.writeUInt32LE(0x12345678, 64);
    writeFileSync(join(out, WEIGHTS), bin);
  }), /blob at offset 64: metadata sentinel is 0x12345678, expected 0xdeadbeef/);
  flags(await patched((out) => writeFileSync(join(out, WEIGHTS), readFileSync(join(out, WEIGHTS)).subarray(0, 1000))), /bytes run past the end of the 1000-byte file \(truncated\?\)/);
  flags(await patched((out) => {
    const bin = readFileSync(join(out, WEIGHTS));
    bin.writeUInt32LE(1, 68); // the fp32 conv weight marked fp16
    writeFileSync(join(out, WEIGHTS), bin);
  }), /op 'w_conv' \(const\) attribute 'val': .*blob at offset 64 holds fp16 data, the value declares fp32/);
  flags(await patched((out) => {
    const bin = readFileSync(join(out, WEIGHTS));
    bin.writeBigUInt64LE(8n, 72); // sizeInBytes of the first blob
    writeFileSync(join(out, WEIGHTS), bin);
  }), /holds 8 bytes, a fp32 tensor of shape \[4, 3, 3, 3\] needs 432/);
  flags(await patched((out) => {
    const msg = decodeModelMsg(readFileSync(join(out, MODEL)));
    const f = msg.mlProgram!.functions!.main;
    f.block_specializations = { CoreML8: f.block_specializations!.CoreML8, CoreML7: f.block_specializations!.CoreML8 };
    writeFileSync(join(out, MODEL), encodeModelMsg(msg));
  }), /block specialisations \(CoreML8, CoreML7\) should be exactly its opset 'CoreML8'/);
  flags(await patched((out) => writeFileSync(join(out, 'Manifest.json'), '[')), /Manifest\.json: coreml: package manifest is not JSON/);
  flags(await patched((out) => writeFileSync(join(out, MODEL), Buffer.from([0x0a, 0xff, 0xff, 0x07]))), /model\.mlmodel: (coreml: )?not a Core ML model file/);
});
