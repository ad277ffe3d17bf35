// Mixed precision for int8 TFLite: find the layers to keep float with the ONNX mixed-precision search, compile the
// .tflite with them excluded, and measure the result in LiteRT.js (one extra round lifting more if LiteRT misses the target).
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile, openInStoredLayout, readCompileInput, type CompileOptions, type CompileReport } from '../compile/compile.ts';
import { fixInputShapes } from '../compile/prepare.ts';
import type { DataSource } from '../data/source.ts';
import { UsageError } from '../errors.ts';
import { evaluateModels } from '../evaluate/compare.ts';
import { worstPsnr } from '../evaluate/verdict.ts';
import type { Model } from '../ir/graph.ts';
import { quantizeMixedPrecision, type MixedPrecisionOptions } from './mixed-precision.ts';

/** Validation examples LiteRT measures by default (as the search does). */
const DEFAULT_EXAMPLES = 32;

/** One search → compile → measure round. */
export interface TfliteMixedRound {
  /** Target the ONNX search aimed at (raised in the extra round by LiteRT's shortfall). */
  searchTarget: number;
  /** Output PSNR the search reached on ONNX (exact Q/DQ execution), dB. */
  searchPsnr: number;
  /** The search's PSNR at each of its trials (the first: nothing lifted, plain w8a8 on ONNX). */
  searchTrail: number[];
  /** Output PSNR of the compiled .tflite in LiteRT.js against the float32 .tflite, dB. */
  litertPsnr: number;
  /** Nodes kept float. */
  exclude: string[];
  floatOps: { float: number; total: number };
  bytes: number;
}

/** What {@link compileTfliteMixedPrecision} found and measured (the last round is the written model). */
export interface TfliteMixedReport {
  targetPsnr: number;
  /** LiteRT PSNR of the written model met the target. */
  met: boolean;
  rounds: TfliteMixedRound[];
  /** Size of the float32 .tflite compiled from the same model. */
  floatBytes: number;
  /** Data the PSNR was measured on, and how many examples. */
  validation: string;
  examples: number;
  warnings: string[];
}

/** Options: the compile's (target tflite, w8a8, calibration given as data) and the search's. */
export interface TfliteMixedOptions extends Omit<CompileOptions, 'target' | 'quantize' | 'calibration' | 'exclude'> {
  /** Calibration data, or a function opening it against the model as read (a .tflite lifted). */
  calibration: DataSource | ((model: Model) => Promise<DataSource | undefined>);
  /** Validation data opened against the model as read (instead of `mixed.validation`). */
  validation?: (model: Model) => Promise<DataSource>;
  /** The search's options; `lift` is always 'float' (TFLite has no 16-bit Q/DQ for lifted layers). */
  mixed: Omit<MixedPrecisionOptions, 'lift'>;
  /** Allow one extra round raising the search target by LiteRT's shortfall (default true). */
  extraRound?: boolean;
}

/**
 * Compiles `input` to an int8 .tflite at `output` whose output PSNR against float should reach `mixed.targetPsnr`:
 * runs {@link quantizeMixedPrecision} (lift 'float') on the ONNX model, compiles with the lifted nodes excluded
 * (float islands), and measures the .tflite in LiteRT.js on the validation data against the float32 .tflite.
 * The model is written either way; `report.met` says whether LiteRT reached the target.
 */
export async function compileTfliteMixedPrecision(input: string, output: string, options: TfliteMixedOptions): Promise<{ compile: CompileReport; mixed: TfliteMixedReport }> {
  const { mixed, extraRound = true, calibration: givenCalibration, validation: openValidation, ...compileOptions } = options;
  // A .tflite or TF.js model is lifted to ONNX ops; `stored` is it as read (pruned as compile prunes it), in the data's layout.
  const { model, lift, liftedToNchw: liftedNchw, inputShapes, stored } = await readCompileInput(input, { target: 'tflite', nchwIo: compileOptions.nchwIo, inputShapes: compileOptions.inputShapes, outputs: compileOptions.outputs });
  // As compile does: data given for an NHWC-I/O .tflite is opened in its own (NHWC) layout and transposed.
  const open = (fn: (m: Model) => Promise<DataSource | undefined>) => openInStoredLayout(fn, stored, model, liftedNchw && !compileOptions.nchwIo);
  const calibration = typeof givenCalibration === 'function' ? await open(givenCalibration) : givenCalibration;
  if (!calibration) throw new UsageError('--quantize w8a8 needs calibration data (--calibration)');
  const heldOut = openValidation ? await open(openValidation) : mixed.validation;
  const validation = heldOut ?? calibration;
  const examples = Math.min(mixed.examples ?? DEFAULT_EXAMPLES, validation.count ?? Infinity);
  const warnings = heldOut ? [] : ['mixed precision measured PSNR on the calibration data itself (give held-out data with --validation DATA)'];
  // Shapes the lift did not apply already (the TF.js lift does, in the model.json's layout).
  if (inputShapes) fixInputShapes(model, inputShapes);
  // The batch the compiled model takes (fixed shapes, symbolic batch dims compile as 1): the search and LiteRT read batches of it.
  const batch = model.graph.inputs.map((v) => (v.type.kind === 'tensor' ? v.type.shape?.[0] : undefined)).find((d): d is number => typeof d === 'number') ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-mixed-'));
  try {
    // Measured files declare the layout the data has (the model's as read, after lifting a .tflite); the written one the
    // layout asked for (a lifted .tflite whose I/O is all rank 4 lifts NCHW and is written NHWC, see compile.ts).
    const measureLayout = { nhwcIo: false, nchwIo: liftedNchw };
    const sameLayout = !compileOptions.nhwcIo && (!lift || Boolean(compileOptions.nchwIo) || !liftedNchw);
    const floatPath = join(dir, 'float.tflite');
    await compileFile(input, floatPath, { ...compileOptions, ...measureLayout, target: 'tflite', quantize: 'none' });
    const floatBytes = statSync(floatPath).size;
    const rounds: TfliteMixedRound[] = [];
    let searchTarget = mixed.targetPsnr;
    let last: CompileReport | undefined;
    for (let round = 0; round < (extraRound ? 2 : 1); round++) {
      const { report } = await quantizeMixedPrecision(model, {
        scheme: 'w8a8', calibration: { source: calibration, ...(compileOptions.method ? { method: compileOptions.method } : {}), ...(compileOptions.limit ? { limit: compileOptions.limit } : {}), batchSize: batch },
      }, { ...mixed, targetPsnr: searchTarget, lift: 'float', validation, examples });
      const outcome = report.mixedPrecision!;
      const exclude = [...new Set(outcome.lifted.map((l) => l.node))];
      const candidate = join(dir, `mixed-${round}.tflite`);
      const int8 = { ...compileOptions, target: 'tflite' as const, quantize: 'w8a8' as const, calibration, exclude, allowUnknownExclusions: true };
      last = await compileFile(input, candidate, { ...int8, ...measureLayout });
      const ev = await evaluateModels(floatPath, [candidate], validation, { runtime: 'litert', exact: false, limit: examples, batchSize: batch });
      const litertPsnr = worstPsnr(ev.candidates[0]);
      rounds.push({ searchTarget, searchPsnr: outcome.psnr, searchTrail: outcome.rounds.map((r) => r.psnr), litertPsnr, exclude, floatOps: last.floatOps ?? { float: 0, total: 0 }, bytes: last.outputBytes });
      if (sameLayout) copyFileSync(candidate, output);
      else last = await compileFile(input, output, int8);
      if (litertPsnr >= mixed.targetPsnr || !outcome.met) break;
      searchTarget += mixed.targetPsnr - litertPsnr;
    }
    const met = rounds[rounds.length - 1].litertPsnr >= mixed.targetPsnr;
    const { float, total } = rounds[rounds.length - 1].floatOps;
    if (total && float === total) warnings.push('mixed precision kept every op float: the .tflite is a float32 model (try --mixed-strategy per-layer or a lower target)');
    if (!met) warnings.push(`the .tflite measures ${rounds[rounds.length - 1].litertPsnr.toFixed(1)} dB in LiteRT.js, below the ${mixed.targetPsnr} dB target`);
    const report: CompileReport = { ...last!, output, outputBytes: statSync(output).size };
    return { compile: report, mixed: { targetPsnr: mixed.targetPsnr, met, rounds, floatBytes, validation: validation.description, examples, warnings } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
