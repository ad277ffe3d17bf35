// The package as its users get it: plain Node imports the built library, a NodeNext TypeScript project typechecks against it, npm pack ships it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { makeConsumerProject, type ConsumerProject } from './consumer-project.ts';
import { PLAIN_NODE_MAIN, TYPED_CONSUMER, TYPED_TSCONFIG } from './consumer-sources.ts';
import { ensureDist } from './dist.ts';

const LENET = join(PACKAGE_ROOT, 'models', 'lenet5', 'lenet5.onnx');
let project: ConsumerProject;

before(() => {
  ensureDist();
  project = makeConsumerProject();
});
after(() => project?.remove());

/** The environment of a child that must not inherit tsx or other loaders. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

test('plain node (no tsx) imports ondevice from dist and reads, inspects, quantizes and runs LeNet-5', () => {
  const main = project.write('main.mjs', PLAIN_NODE_MAIN);
  const out = join(project.dir, 'lenet5.fp16.onnx');
  const r = spawnSync(process.execPath, [main, LENET, out], { cwd: project.dir, env: plainEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(got.resolved, pathToFileURL(join(PACKAGE_ROOT, 'dist', 'index.js')).href);
  assert.deepEqual(got.execArgv, []);
  assert.equal(got.defaultModel, LENET);
  assert.equal(got.nodeCount, 14);
  assert.deepEqual(got.inputs, ['input']);
  assert.equal(got.ops.Conv, 2);
  assert.equal(got.scheme, 'fp16');
  assert.ok(got.weightDtypes.includes('float16'), `weights: ${got.weightDtypes}`);
  assert.equal(got.provenance, true);
  assert.deepEqual(got.logits, [1, 10]);
});

test('a strict NodeNext TypeScript project typechecks against the declarations with 0 errors', () => {
  project.write('tsconfig.json', TYPED_TSCONFIG);
  project.write('index.ts', TYPED_CONSUMER);
  const tsc = join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', project.dir, '--pretty', 'false'], { cwd: project.dir, env: plainEnv(), encoding: 'utf8' });
  const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'));
  assert.equal(errors.length, 0, `${errors.length} errors, first:\n${errors.slice(0, 10).join('\n')}`);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('npm pack ships dist (with its assets), the CLI sources, the web app and the default model, but no tests', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--offline'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  for (const f of [
    'package.json', 'bin/ondevice.js', 'dist/index.js', 'dist/index.d.ts', 'dist/formats/onnx/onnx.proto',
    'dist/runtimes/litert/page.js', 'src/cli/main.ts', 'src/deploy/app-config.ts', 'web/app/index.html', 'models/lenet5/lenet5.onnx',
  ]) assert.ok(files.has(f), `${f} missing from the package`);
  assert.deepEqual([...files].filter((f) => f.startsWith('test/') || f.startsWith('dist.tmp')), []);
});
