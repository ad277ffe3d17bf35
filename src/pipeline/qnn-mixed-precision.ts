// Mixed 8/16-bit precision for QNN: find the activations to keep at 16 bits with the mixed-precision search on the
// QNN-prepared model, compile with them (converts between the types), and measure the written model on held-out data.
import { compileFile, readCompileInput, type CompileOptions, type CompileReport } from '../compile/compile.ts';
import { prepareForQnn } from '../compile/qnn/prepare.ts';
import { completeQnnUnits, qnnQuantizeOptions } from '../compile/qnn/compile.ts';
import type { DataSource } from '../data/source.ts';
import { UsageError } from '../errors.ts';
import { readModel } from '../formats/registry.ts';
import { inferTypes } from '../ir/infer.ts';
import type { Model } from '../ir/graph.ts';
import { measureCandidate, quantizeMixedPrecision, type MixedPrecisionOptions } from './mixed-precision.ts';

/** Validation examples measured by default (as the search does). */
const DEFAULT_EXAMPLES = 32;

/** What {@link compileQnnMixedPrecision} found and measured. */
export interface QnnMixedReport {
  targetPsnr: number;
  /** The written model's output PSNR on the validation data met the target. */
  met: boolean;
  /** Output PSNR of the written model against the float model (exact Q/DQ execution), dB. */
  psnr: number;
  /** The search's PSNR at each of its trials (the first: every activation at 8 bits), each trial's node units completed as compiled. */
  searchTrail: number[];
  /** Activations at 16 bits, of the float activations the search could lift. */
  sixteenBit: { values: string[]; of: number };
  strategy: 'per-layer' | 'prefix';
  /** Data the PSNR was measured on, and how many examples. */
  validation: string;
  examples: number;
  warnings: string[];
}

/** Options: the qnn compile's (w8a8; calibration given as data or opened against the model) and the search's. */
export interface QnnMixedOptions extends Omit<CompileOptions, 'target' | 'quantize' | 'calibration' | 'exclude' | 'precision' | 'wideValues'> {
  calibration: DataSource | ((model: Model) => Promise<DataSource | undefined>);
  /** Validation data opened against the model as read (instead of `mixed.validation`). */
  validation?: (model: Model) => Promise<DataSource>;
  /** The search's options; lifted activations always go to 16 bits (the HTP runs uint16 units and converts between them). */
  mixed: Omit<MixedPrecisionOptions, 'lift'>;
}

/**
 * Compiles `input` for QNN w8a8 with the fewest activations at 16 bits that bring the output PSNR to
 * `mixed.targetPsnr`: runs {@link quantizeMixedPrecision} (lift '16bit', default strategy 'prefix') on the model as
 * compileToQnn prepares it, with the same quantizer options, compiles with those values 16-bit, and measures the
 * written model against float on the validation data. The model is written either way; `met` says whether it holds.
 */
export async function compileQnnMixedPrecision(input: string, output: string, options: QnnMixedOptions): Promise<{ compile: CompileReport; mixed: QnnMixedReport }> {
  const { mixed, calibration: givenCalibration, validation: openValidation, ...compileOptions } = options;
  const { model, inputShapes } = await readCompileInput(input, { target: 'qnn', inputShapes: compileOptions.inputShapes, outputs: compileOptions.outputs });
  const calibration = typeof givenCalibration === 'function' ? await givenCalibration(model) : givenCalibration;
  if (!calibration) throw new UsageError('--target qnn needs --calibration DATA (activation ranges for the quantized model)');
  const heldOut = openValidation ? await openValidation(model) : mixed.validation;
  const validation = heldOut ?? calibration;
  const examples = Math.min(mixed.examples ?? DEFAULT_EXAMPLES, validation.count ?? Infinity);
  const warnings = heldOut ? [] : ['mixed precision measured PSNR on the calibration data itself (give held-out data with --validation DATA)'];
  const inputValues = typeof compileOptions.inputValues === 'function' ? compileOptions.inputValues(model) : compileOptions.inputValues;
  // The search sees the model exactly as compileToQnn quantizes it, so the values it names exist there.
  const { model: prepared } = await prepareForQnn(structuredClone(model), inputShapes, inputValues);
  // The search quantizes copies of `prepared` (it never changes it), so it stays the float reference.
  const reference = prepared;
  const strategy = mixed.strategy ?? 'prefix';
  const quantizer = {
    calibration, ...(compileOptions.method ? { method: compileOptions.method } : {}), ...(compileOptions.limit ? { limit: compileOptions.limit } : {}),
    ...(compileOptions.ptq ? { ptq: compileOptions.ptq } : {}), ...(compileOptions.progress ? { progress: compileOptions.progress } : {}),
  };
  // Each candidate is measured with its node units completed (output Q, converts), as compileToQnn writes it.
  const complete = async (m: Model, lifted: { wideValues: string[] }) => { await completeQnnUnits(m, { ...quantizer, wideValues: lifted.wideValues }); };
  const { report } = await quantizeMixedPrecision(prepared, qnnQuantizeOptions(quantizer), {
    ...mixed, strategy, lift: '16bit', validation, examples, complete,
    // The outputs' own 8-bit grids cap the PSNR (an 8-bit logit or score map) and cost nothing at 16 bits: lifted first.
    liftFirst: prepared.graph.outputs.map((v) => v.name),
  });
  const outcome = report.mixedPrecision!;
  const values = outcome.lifted.map((l) => l.value);
  const compiled = await compileFile(input, output, { ...compileOptions, target: 'qnn', precision: 'w8a8', calibration, ...(values.length ? { wideValues: values } : {}) });
  const batch = staticBatch(reference);
  const { psnr } = await measureCandidate(reference, await readModel(output), validation, examples, batch);
  const met = psnr >= mixed.targetPsnr;
  if (!met) warnings.push(`the compiled model measures ${psnr.toFixed(1)} dB, below the ${mixed.targetPsnr} dB target`);
  const types = inferTypes(reference, { tolerant: true });
  const isFloat = (v: string) => { const t = types.get(v); return t?.kind === 'tensor' && t.dtype === 'float32'; };
  const floats = [...reference.graph.inputs.map((v) => v.name), ...reference.graph.nodes.flatMap((n) => n.outputs)].filter(isFloat).length;
  return {
    compile: compiled,
    mixed: { targetPsnr: mixed.targetPsnr, met, psnr, searchTrail: outcome.rounds.map((r) => r.psnr), sixteenBit: { values, of: floats }, strategy, validation: validation.description, examples, warnings },
  };
}

/** The batch a prepared (static-shape) model takes: its first input's leading dim, else 1. */
function staticBatch(model: Model): number {
  return model.graph.inputs.map((v) => (v.type.kind === 'tensor' ? v.type.shape?.[0] : undefined)).find((d): d is number => typeof d === 'number') ?? 1;
}
