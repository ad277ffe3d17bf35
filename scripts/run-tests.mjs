#!/usr/bin/env node
// Runs node's test runner (with tsx for TypeScript) over test/**/*.test.ts; Node 20 has no --test globs.
// Tiers: files named *.slow.test.ts run only with ONDEVICE_SLOW=1 (or --slow). Extra args filter paths.
// --cpu=MODEL (e.g. --cpu=Haswell: AVX2, no AVX-512/VNNI) runs each file directly under qemu-x86_64 with that CPU model,
// one after another (node's runner would spawn native children), so onnxruntime takes that CPU's kernels.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const slow = args.includes('--slow') || process.env.ONDEVICE_SLOW === '1';
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk('test')
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => slow || !f.endsWith('.slow.test.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .map((f) => relative('.', f))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const cpu = args.find((a) => a.startsWith('--cpu='))?.slice('--cpu='.length);
if (cpu) {
  let passed = 0, failed = 0;
  for (const f of files) {
    const r = spawnSync('qemu-x86_64', ['-cpu', cpu, process.execPath, '--import', 'tsx', f], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const out = `${r.stdout}${r.stderr.split('\n').filter((l) => !l.startsWith('qemu-x86_64: warning')).join('\n')}`;
    const count = (k) => [...out.matchAll(new RegExp(`^# ${k} (\\d+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
    const p = count('pass'), x = count('fail');
    passed += p; failed += x + (r.status !== 0 && x === 0 ? 1 : 0);
    process.stdout.write(`${r.status === 0 ? 'ok' : 'FAILED'} ${f} under ${cpu}: ${p} passed, ${x} failed\n`);
    if (r.status !== 0) process.stdout.write(out.split('\n').filter((l) => /not ok|error|Error/.test(l)).slice(0, 20).join('\n') + '\n');
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
