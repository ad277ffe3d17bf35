// nsfwjs' MobileNetV2 layers model ships as UMD modules (model.min.js, group1-shard1of1.min.js): written out as model.json + .bin.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const DIR = join(PACKAGE_ROOT, 'node_modules/nsfwjs/dist/models/mobilenet_v2');

/** Writes nsfwjs' MobileNetV2 as `model.json` + `group1-shard1of1` in a fresh temp folder; returns the model.json path. */
export function materialiseNsfwjs(): string {
  const require = createRequire(import.meta.url);
  const json = require(join(DIR, 'model.min.js')) as { weightsManifest: { paths: string[] }[] };
  const shard = require(join(DIR, 'group1-shard1of1.min.js')) as string;
  const dir = mkdtempSync(join(tmpdir(), 'nsfwjs-'));
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  if (paths.length !== 1) throw new Error(`nsfwjs model lists ${paths.length} shards, expected 1`);
  writeFileSync(join(dir, paths[0]), Buffer.from(shard, 'base64'));
  const file = join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}
