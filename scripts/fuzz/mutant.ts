// Makes mutant number `index` of a run: picks a seed model and one to three mutations (bytes, protobuf, IR, TFLite or TF.js object), writes it.
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { decodeOnnx, encodeOnnx } from '../../src/formats/onnx/index.ts';
import { decodeTflite, encodeTflite } from '../../src/formats/tflite/index.ts';
import { mutateBytes } from './mutate-bytes.ts';
import { mutateIr } from './mutate-ir.ts';
import { mutateProto } from './mutate-proto.ts';
import { mutateTflite } from './mutate-tflite.ts';
import { mutateTfjs } from './mutate-tfjs.ts';
import { Rng } from './rng.ts';
import type { Seed } from './seeds.ts';

/** A mutant file and how it was made. */
export interface Mutant {
  index: number;
  file: string;
  seed: Seed;
  label: string;
}

const seedBytes = new Map<string, Uint8Array>();
const bytesOf = (path: string) => {
  let b = seedBytes.get(path);
  if (!b) seedBytes.set(path, (b = new Uint8Array(readFileSync(path))));
  return b;
};

/** Writes mutant `index` (deterministic in `runSeed` and `index`) into `dir`. */
export function makeMutant(seeds: readonly Seed[], runSeed: number, index: number, dir: string): Mutant {
  const rng = Rng.forMutant(runSeed, index);
  const seed = seeds[pickWeighted(seeds.map((s) => s.weight), rng)];
  const ext = extname(seed.path);
  const file = join(dir, `mutant-${index}${ext}`);
  let bytes = ext === '.json' ? linkShards(seed, dir) : bytesOf(seed.path);
  const labels: string[] = [];
  const rounds = rng.chance(0.7) ? 1 : 2 + rng.int(2);
  const kind = rng.float();
  for (let r = 0; r < rounds; r++) {
    try {
      if (kind < 0.3) {
        const other = bytesOf(rng.pick(seeds).path);
        const m = mutateBytes(bytes, rng.chance(0.5) ? bytes : other, rng);
        bytes = m.bytes;
        labels.push(`bytes: ${m.label}`);
      } else if (ext === '.onnx' && kind < 0.45) {
        const m = mutateProto(bytes, rng, basename(file));
        bytes = m.bytes;
        labels.push(`proto: ${m.label}`);
      } else if (ext === '.onnx') {
        const model = decodeOnnx(bytes, seed.path);
        labels.push(`ir: ${mutateIr(model, rng)}`);
        bytes = encodeOnnx(model);
      } else if (ext === '.json') {
        const json = JSON.parse(new TextDecoder().decode(bytes));
        labels.push(`tfjs: ${mutateTfjs(json, rng)}`);
        bytes = new TextEncoder().encode(JSON.stringify(json));
      } else {
        const model = decodeTflite(bytes, seed.path);
        labels.push(`tflite: ${mutateTflite(model, rng)}`);
        bytes = encodeTflite(model);
      }
    } catch (e) {
      // An earlier round made something the structured mutators cannot re-read or re-encode: keep what we have.
      labels.push(`(round ${r} not applied: ${(e as Error).message.split('\n')[0].slice(0, 80)})`);
    }
  }
  writeFileSync(file, bytes);
  return { index, file, seed, label: `${seed.name}: ${labels.join('; ')}` };
}

/**
 * A TF.js seed's model.json with its shard paths renamed to links (made once) in the mutant folder, so a mutant written
 * there finds the seed's shards; mutations then work on this text.
 */
function linkShards(seed: Seed, dir: string): Uint8Array {
  const json = JSON.parse(new TextDecoder().decode(bytesOf(seed.path)));
  const tag = seed.name.replace(/[^a-z0-9]+/gi, '-');
  for (const group of json.weightsManifest ?? []) {
    group.paths = group.paths.map((p: string) => {
      const link = join(dir, `${tag}-${basename(p)}`);
      if (!existsSync(link)) symlinkSync(resolve(dirname(seed.path), p), link);
      return basename(link);
    });
  }
  return new TextEncoder().encode(JSON.stringify(json));
}

function pickWeighted(weights: readonly number[], rng: Rng): number {
  let x = rng.float() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0) return i;
  return weights.length - 1;
}
