// `ondevice compile --target coreml` end to end: the .mlpackage and its Swift file, an image classifier that reads raw camera
// pixels (checked through the MIL reference executor against onnxruntime), and one-line refusals that write nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadMnist } from '../../src/data/mnist.ts';
import { readLabels } from '../../src/data/labels.ts';
import { readCoreMlPackage } from '../../src/formats/coreml/read.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { hostStrings, runMilProgram } from '../../src/runtimes/coreml/executor.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-coreml-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/ondevice.js'), ...args], { encoding: 'utf8' });
const LENET = join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx');

test('--image-input makes LeNet-5 an image classifier: raw 0–255 pixels in, the label onnxruntime picks out, a Swift file beside it', async () => {
  const out = join(dir, 'Digits.mlpackage');
  const r = cli(['compile', LENET, '--target', 'coreml', '-o', out, '--image-input', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.coreml.imageInput, 'input');
  const labels = readLabels(join(PACKAGE_ROOT, 'models/lenet5/labels.txt'));
  assert.equal(report.coreml.classLabels, labels.length);
  const swift = readFileSync(join(dir, 'Digits.swift'), 'utf8');
  assert.match(swift, /VNCoreMLRequest\(model:/);
  assert.match(swift, /Digits\(configuration:/);
  const model = await readCoreMlPackage(out);
  const [input] = model.description.inputs;
  assert.deepEqual(input.type, { kind: 'image', width: 28, height: 28, colorSpace: 'GRAYSCALE' });
  assert.equal(model.description.predictedFeatureName, model.program.functions.main.outputs[0]);
  // The same digits: raw pixels through the package, the recipe's normalisation through onnxruntime.
  const mnist = loadMnist('test', { limit: 16 });
  const session = await ortNodeRuntime.load(LENET);
  const probs = new FidelityAccumulator();
  let agree = 0;
  try {
    for (let i = 0; i < mnist.count; i++) {
      const pixels = mnist.images.subarray(i * 784, (i + 1) * 784);
      const normalized = Float32Array.from(pixels, (p) => (p / 255 - 0.1307) / 0.3081);
      const logits = Object.values(await session.run({ input: { dtype: 'float32', dims: [1, 1, 28, 28], data: normalized } }))[0].data as Float32Array;
      const max = Math.max(...logits);
      const e = Array.from(logits, (v) => Math.exp(v - max));
      const softmax = e.map((v) => v / e.reduce((a, b) => a + b, 0));
      const best = logits.indexOf(max);
      const got = runMilProgram(model, { [input.name]: { dtype: 'float32', dims: [1, 1, 28, 28], data: Float32Array.from(pixels) } });
      const [label, dict] = model.program.functions.main.outputs;
      if (hostStrings(got[label])[0] === labels[best]) agree++;
      probs.add(softmax, Array.from(got[dict].data as Float64Array));
    }
  } finally {
    await session.release();
  }
  console.log(`Digits.mlpackage: ${agree}/${mnist.count} labels as onnxruntime; probabilities ${probs.result().psnr.toFixed(1)} dB`);
  assert.equal(agree, mnist.count);
  assert.ok(probs.result().psnr >= 45, `probabilities ${probs.result().psnr.toFixed(1)} dB`);
});

test('inspect reads the package back: spec version, opset and ops', () => {
  const out = join(dir, 'LeNet-w8.mlpackage');
  const r = cli(['compile', LENET, '--target', 'coreml', '--quantize', 'w8', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /specification version 7 \(iOS 16\+, opset CoreML6\)/);
  assert.match(r.stdout, /weights w8: 3 compressed/);
  const i = cli(['inspect', out, '--json']);
  assert.equal(i.status, 0, i.stderr);
  assert.match(i.stdout, /constexpr_affine_dequantize/);
  assert.match(i.stdout, /CoreML6/);
});

test('refusals are one line, exit 2 or 1, and write nothing', async () => {
  const cases: [string[], number, RegExp][] = [
    [['--quantize', 'w8', '--min-ios', '15'], 2, /needs iOS 16 or later/],
    [['--quantize', 'w4', '--min-ios', '17'], 2, /needs iOS 18 or later/],
    [['--quantize', 'int3'], 2, /quantize/],
    [['--calibration', 'mnist:train'], 2, /without data/],
    [['--labels', 'x.txt'], 2, /--image-input/],
  ];
  for (const [extra, status, message] of cases) {
    const out = join(dir, `refused-${status}.mlpackage`);
    const r = cli(['compile', LENET, '--target', 'coreml', '-o', out, ...extra]);
    assert.equal(r.status, status, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(existsSync(out), false);
  }
  const notPackage = cli(['compile', LENET, '--target', 'coreml', '-o', join(dir, 'lenet.onnx')]);
  assert.equal(notPackage.status, 2);
  assert.match(notPackage.stderr, /\.mlpackage/);
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 8]);
  b.output(b.op('Hardmax', [x], {}, { name: 'e1', output: 'y' }), 'float32', [1, 8]);
  const src = join(dir, 'hardmax.onnx');
  await writeModel(b.build(), src);
  const out = join(dir, 'hardmax.mlpackage');
  const r = cli(['compile', src, '--target', 'coreml', '-o', out]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /cannot compile to coreml: 1 op cannot be mapped: node 'e1' \(Hardmax\)/);
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(join(dir, 'hardmax.swift')), false);
});

test('evaluate takes .mlpackage candidates (the MIL reference runtime), pairing outputs by their source names', () => {
  const out = join(dir, 'LeNet-fp16.mlpackage');
  assert.equal(cli(['compile', LENET, '--target', 'coreml', '-o', out]).status, 0);
  const r = cli(['evaluate', LENET, out, '--data', 'mnist:test', '--limit', '100', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const [c] = report.candidates;
  assert.equal(c.runtime, 'coreml-reference');
  assert.equal(c.fidelity[0].output, 'logits');
  assert.equal(c.accuracy.count, 100);
  assert.ok(c.fidelity[0].psnr >= 45, `${c.fidelity[0].psnr} dB`);
  assert.equal(c.fidelity[0].agreement.top1, 1);
  assert.ok(c.sizeBytes > 100_000 && c.sizeBytes < 200_000, `package counted as ${c.sizeBytes} bytes (fp16 weights of 61,706 parameters)`);
  assert.equal(report.verdicts[0].level, 'pass');
});
