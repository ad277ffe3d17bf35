#!/usr/bin/env node
// Builds the library into dist/ (JavaScript + .d.ts from tsconfig.build.json, plus the non-TypeScript files src reads at run time), atomically.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const temp = join(root, `dist.tmp-${process.pid}`);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const started = Date.now();
rmSync(temp, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', temp], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(temp, { recursive: true, force: true });
  console.error('build: tsc failed; dist/ left as it was');
  process.exit(r.status ?? 1);
}
// Assets read next to their module (formats/onnx/onnx.proto, runtimes/litert/page.js, ...).
for (const file of walk(src).filter((f) => !f.endsWith('.ts'))) cpSync(file, join(temp, relative(src, file)));
rmSync(dist, { recursive: true, force: true });
renameSync(temp, dist);
console.log(`build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
