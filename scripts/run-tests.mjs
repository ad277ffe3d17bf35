#!/usr/bin/env node
// Runs node's test runner (with tsx for TypeScript) over test/**/*.test.ts; Node 20 has no --test globs.
// Tiers: files named *.slow.test.ts run only with ONDEVICE_SLOW=1 (or --slow). Extra args filter paths.
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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
