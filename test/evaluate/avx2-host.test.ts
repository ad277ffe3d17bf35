// Same verdict on a CPU without AVX-512/VNNI: `evaluate --json` runs here and under qemu's Haswell CPU model (AVX2 only),
// where onnxruntime takes its non-VNNI int8 kernels. Verdicts and exact figures must match; the runtime's U8S8 loss must be named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { LENET, mnistFor, tempDir } from './helpers.ts';

const QEMU = 'qemu-x86_64';
const hasQemu = process.arch === 'x64' && spawnSync(QEMU, ['--version']).status === 0;

interface Json {
  verdicts: { level: string; judged: string; kernelWarning?: string }[];
  candidates: { fidelity: { psnr: number }[]; exact?: { fidelity: { psnr: number }[] } }[];
}

function evaluate(prefix: string[], files: string[]): Json {
  const args = [...prefix, process.execPath, join(PACKAGE_ROOT, 'bin/ondevice.js'), 'evaluate', LENET, ...files, '--data', 'mnist:test', '--limit', '300', '--json'];
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${args.slice(0, 3).join(' ')} … exited ${r.status}: ${r.stderr.split('\n').filter((l) => !/qemu-x86_64: warning/.test(l)).slice(-5).join('\n')}`);
  return JSON.parse(r.stdout) as Json;
}

test('LeNet-5 w8a8 (uint8 and int8 activations): the same verdicts and exact PSNR here and on an emulated AVX2-only CPU', { skip: hasQemu ? false : 'needs qemu-x86_64 on an x64 host (Debian qemu-user; .ci/run installs it)', timeout: 900_000 }, async () => {
  const t = tempDir();
  try {
    const files: string[] = [];
    for (const activationType of ['uint8', 'int8'] as const) {
      const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', activationType, calibration: { source: await mnistFor('train'), limit: 500 } });
      files.push(join(t.dir, `${activationType}.onnx`));
      await writeModel(model, files.at(-1)!);
    }
    const here = evaluate([], files);
    const avx2 = evaluate([QEMU, '-cpu', 'Haswell'], files);
    for (let i = 0; i < files.length; i++) {
      assert.equal(avx2.verdicts[i].level, here.verdicts[i].level, `${files[i]}: verdict here ${here.verdicts[i].level}, on AVX2 ${avx2.verdicts[i].level}`);
      assert.equal(avx2.verdicts[i].judged, 'exact');
      const a = avx2.candidates[i].exact!.fidelity[0].psnr, b = here.candidates[i].exact!.fidelity[0].psnr;
      assert.ok(Math.abs(a - b) < 0.05, `${files[i]}: exact PSNR here ${b} dB, on AVX2 ${a} dB`);
      assert.ok(a >= 45, `${files[i]}: exact PSNR ${a} dB ≥ 45`);
    }
    // On the AVX2-only CPU, onnxruntime's uint8×int8 kernels saturate: the runtime loses ≥ 3 dB and the warning says why.
    const [u8, s8] = avx2.candidates;
    assert.ok(u8.fidelity[0].psnr < u8.exact!.fidelity[0].psnr - 3, `uint8 on AVX2: runtime ${u8.fidelity[0].psnr} dB vs exact ${u8.exact!.fidelity[0].psnr} dB`);
    assert.match(avx2.verdicts[0].kernelWarning ?? '', /U8S8.*saturate.*--target onnx/);
    // int8 activations (the default for onnxruntime) are safe there: no warning, runtime within 3 dB of exact.
    assert.equal(avx2.verdicts[1].kernelWarning, undefined);
    assert.ok(s8.fidelity[0].psnr > s8.exact!.fidelity[0].psnr - 3);
  } finally {
    t.dispose();
  }
});
