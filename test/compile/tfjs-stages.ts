// Shared by the TF.js public-model tests: write held-out and calibration scenes, compile/quantize through the CLI, and
// measure each stage against the model.json run in TF.js (`ondevice evaluate MODEL.json CANDIDATE`).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { ondevice } from '../cli/tfjs-helpers.ts';
import { digitScenes } from '../support/scenes.ts';

/** A public TF.js model and how a user would run it: fixed shapes, chosen outputs, its input and value range. */
export interface TfjsCase {
  file: string;
  input: string;
  size: [number, number];
  /** uint8 pixels 0..255, or float32 scaled by `scale` (e.g. 1/255). */
  uint8?: boolean;
  scale?: number;
  shapes?: string[];
  outputs?: string;
}

/** Writes `count` NHWC scenes of split `split` as `<input>.npy` in a fresh folder; returns the folder. */
export function writeScenes(c: TfjsCase, split: 'calib' | 'eval', count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `ondevice-tfjs-${split}-`));
  const [h, w] = c.size;
  const data = digitScenes(split, count, h, w, (v) => (c.uint8 ? Math.round(v) : v * (c.scale ?? 1)), true);
  const dims = [count, h, w, 3];
  writeFileSync(join(dir, `${c.input}.npy`), encodeNpy(c.uint8 ? { dtype: 'uint8', dims, data: Uint8Array.from(data) } : { dtype: 'float32', dims, data }));
  return dir;
}

/** The fixed options of a case, as every command takes them. */
export function fixedArgs(c: TfjsCase): string[] {
  return [...(c.shapes ?? []).flatMap((s) => ['--input-shape', s]), ...(c.outputs ? ['--outputs', c.outputs] : [])];
}

/** Runs a command that writes a model; asserts success and returns its --json report. */
export function make(args: string[]): Record<string, unknown> {
  const r = ondevice(...args, '--json');
  assert.equal(r.code, 0, `ondevice ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** PSNR per output of `candidate` against the model.json in TF.js on `data` (a QDQ candidate: its exact execution). */
export function psnrVsTfjs(c: TfjsCase, candidate: string, data: string): Record<string, number> {
  const r = ondevice('evaluate', c.file, candidate, '--data', data, '--json', '--batch', '1', ...fixedArgs(c));
  assert.ok(r.stdout.trim().startsWith('{'), `evaluate ${candidate}: ${r.stderr}`);
  const result = JSON.parse(r.stdout);
  assert.equal(result.reference.runtime, 'tfjs', 'the reference is the model.json run in TF.js');
  const cand = result.candidates[0];
  const fidelity: { output: string; psnr: number }[] = cand.exact?.fidelity ?? cand.fidelity;
  return Object.fromEntries(fidelity.map((f) => [f.output, Number(f.psnr)]));
}

/** The lowest of a PSNR table. */
export const lowest = (t: Record<string, number>): number => Math.min(...Object.values(t));
