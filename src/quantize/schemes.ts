// Quantization schemes and their options: names as an `as const` tuple, defaults resolved once per scheme.
import { UsageError } from '../errors.ts';
import type { DataSource } from '../data/source.ts';
import type { Progress } from '../util/progress.ts';
import { CALIBRATION_METHODS, type CalibrationMethod } from './calibrate/calibrator.ts';

/**
 * The schemes: `fp16` (float16 weights and compute), `int8-dynamic` (int8 weights, activations
 * quantized at run time), `w8a8` / `w8a16` (static QDQ: int8 weights, 8- or 16-bit activations),
 * `w4a8` / `w4a16` (static QDQ with symmetric int4 Conv/MatMul/Gemm weights, opset 21),
 * `w4` (weight-only 4-bit blocks for MatMul/Gemm).
 */
export const SCHEMES = ['fp16', 'int8-dynamic', 'w8a8', 'w8a16', 'w4a8', 'w4a16', 'w4'] as const;
/** A quantization scheme name. */
export type Scheme = (typeof SCHEMES)[number];

/** Schemes that need calibration data (static activation ranges). */
export const STATIC_SCHEMES: readonly Scheme[] = ['w8a8', 'w8a16', 'w4a8', 'w4a16'];

/** Static schemes with int4 weights (Conv, ConvTranspose, MatMul, Gemm; other weights stay int8): they need opset 21. */
export const INT4_SCHEMES: readonly Scheme[] = ['w4a8', 'w4a16'];

/** Integer element types a scheme may quantize activations to. */
export const ACTIVATION_TYPES = ['uint8', 'int8', 'uint16', 'int16'] as const;
/** An activation integer type. */
export type ActivationType = (typeof ACTIVATION_TYPES)[number];

/**
 * The runtimes a QDQ model is quantized for (`quantize --target`); each picks the default activation type.
 * `onnx`: ONNX Runtime on CPU (node, web, mobile); `qnn`: Qualcomm QNN through ONNX Runtime's QNN execution provider.
 * TFLite's int8 follows its own spec and is made by `compile --target tflite --quantize w8a8`.
 */
export const QUANTIZE_TARGETS = ['onnx', 'qnn'] as const;
/** A runtime a QDQ model is quantized for. */
export type QuantizeTarget = (typeof QUANTIZE_TARGETS)[number];

/** Integer types per target for the static schemes, and why: the one table (docs/quantization.md shows it). */
export const TARGET_TYPES: Readonly<Record<QuantizeTarget, { w8a8: ActivationType; w8a16: ActivationType; why: string }>> = {
  onnx: {
    w8a8: 'int8', w8a16: 'uint16',
    why: 'onnx: int8 activations × int8 weights (S8S8) compute the same on every CPU; uint8 × int8 (U8S8) saturates int16 pair sums in onnxruntime\'s kernels on x86 without VNNI. '
      + 'On x86, S8S8 can run slower than float32: check with `ondevice profile`; --activation-type uint8 is faster where the CPU has VNNI, and on ARM',
  },
  qnn: {
    w8a8: 'uint8', w8a16: 'uint16',
    why: 'qnn: the QNN HTP backend takes unsigned 8/16-bit activations with symmetric int8 weights',
  },
};

/** Throws a UsageError unless `name` is a known quantization target (with a pointer for tflite). */
export function parseTarget(name: string): QuantizeTarget {
  if ((QUANTIZE_TARGETS as readonly string[]).includes(name)) return name as QuantizeTarget;
  if (name === 'tflite') throw new UsageError("TFLite int8 is made by 'ondevice compile MODEL --target tflite --quantize w8a8 --calibration DATA' (the TFLite int8 spec), not by quantize");
  throw new UsageError(`unknown quantization target '${name}' (known: ${QUANTIZE_TARGETS.join(', ')})`);
}

/** Where calibration data comes from and how ranges are computed. */
export interface CalibrationOptions {
  source: DataSource;
  /** Default 'minmax'. */
  method?: CalibrationMethod;
  /** Examples to read at most (default 1000). */
  limit?: number;
  /** Examples per batch (default 32). */
  batchSize?: number;
}

/** Options of {@link quantizeModel}. Only `scheme` is required; the rest default per scheme. */
export interface QuantizeOptions {
  scheme: Scheme;
  /** Required by w8a8 and w8a16; optional elsewhere (fp16 uses it to find activations that overflow). */
  calibration?: CalibrationOptions;
  /** Node names or op types to keep in float. */
  exclude?: string[];
  /** Activations (value names) left unquantized: no Q/DQ on them, whichever ops read or write them. */
  floatValues?: string[];
  /** Activations (value names) quantized to 16 bits (uint8 → uint16, int8 → int16) in an 8-bit scheme: mixed precision. */
  wideValues?: string[];
  /**
   * w4a8/w4a16: nodes (names) whose weights stay int8 while the others are int4 — mixed weight precision for the layers
   * 4 bits hurt most (`--auto` picks them by their own int4 noise).
   */
  int8Weights?: string[];
  /** Per-channel weight scales for Conv/Gemm/MatMul (default true). */
  perChannel?: boolean;
  /** Symmetric weights (zero point 0; default true). */
  symmetric?: boolean;
  /** The runtime the model is for; it picks the default activation type (default 'onnx'). */
  target?: QuantizeTarget;
  /** Activation integer type for static schemes (default from the target: see {@link TARGET_TYPES}). */
  activationType?: ActivationType;
  /**
   * Weights per scale block for w4 (default 32; a power of two ≥ 16). For w4a8/w4a16, given: int4 weights get one
   * scale per block of this many input channels (ONNX DequantizeLinear `block_size`) instead of one per output channel.
   */
  blockSize?: number;
  /** Run the default graph passes (fold-batchnorm, …) before quantizing (default true). */
  runPasses?: boolean;
  /** Post-training steps beyond min/max for static schemes (see {@link PTQ_STEPS}); default none. */
  ptq?: PtqStep[];
  /**
   * Static schemes: clip each 8-bit activation range to the interval its readers can tell apart (HardSwish is 0 below
   * −3, Relu below 0, HardSigmoid and Clip flat outside their bounds, Max/Min with a constant): exact, the readers
   * compute the same on the finer grid (calibrate/reader-ranges.ts). Default false.
   */
  readerRanges?: boolean;
  /** Progress sink for calibration. */
  progress?: Progress;
}

/**
 * Post-training quantization steps beyond min/max, applied in this order whatever order they are asked in:
 * `cle` (cross-layer equalization: channel scales moved between consecutive layers so per-tensor ranges fit every
 * channel), `range-search` (each activation's range chosen among the calibration methods and clipped ranges by the
 * error it leaves in the layer that reads it), `seq-mse` (each weight channel's clipping range chosen by the layer's
 * output error on its quantized inputs), `gptq` (each Conv/MatMul/Gemm weight's integers picked column by column so the
 * layer's output moves least), `bias-correction` (each layer's bias shifted by the mean output shift quantization
 * leaves, measured on the calibration data).
 */
export const PTQ_STEPS = ['cle', 'range-search', 'seq-mse', 'gptq', 'bias-correction'] as const;
/** A post-training quantization step. */
export type PtqStep = (typeof PTQ_STEPS)[number];

/** Steps from a comma-separated list ('all' = every step, 'none' = no step); unknown names → UsageError. */
export function parsePtqSteps(list: string): PtqStep[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'none') return [];
  if (names.length === 1 && names[0] === 'all') return [...PTQ_STEPS];
  for (const n of names) if (!(PTQ_STEPS as readonly string[]).includes(n)) throw new UsageError(`unknown --ptq step '${n}' (known: ${PTQ_STEPS.join(', ')}, all, none)`);
  return PTQ_STEPS.filter((s) => names.includes(s));
}

/** Options with every default filled in (calibration stays optional). */
export type ResolvedOptions = Required<Omit<QuantizeOptions, 'calibration'>> & {
  calibration?: Required<CalibrationOptions>;
  /** Why the activation type is what it is, short (it is stored in the model): 'default for onnx' or '--activation-type'. */
  activationTypeReason: string;
  /** w4a8/w4a16: int4 weights blocked by this many input channels (the given blockSize); 0 = per output channel. */
  weightBlock: number;
};

/** Throws a UsageError unless `name` is a known scheme. */
export function parseScheme(name: string): Scheme {
  if ((SCHEMES as readonly string[]).includes(name)) return name as Scheme;
  throw new UsageError(`unknown quantization scheme '${name}' (known: ${SCHEMES.join(', ')})`);
}

/** Throws a UsageError unless `name` is a known calibration method. */
export function parseMethod(name: string): CalibrationMethod {
  if ((CALIBRATION_METHODS as readonly string[]).includes(name)) return name as CalibrationMethod;
  throw new UsageError(`unknown calibration method '${name}' (known: ${CALIBRATION_METHODS.join(', ')})`);
}

/** Fills in the defaults for the scheme and checks the combination; bad input → UsageError. */
export function resolveOptions(options: QuantizeOptions): ResolvedOptions {
  const scheme = parseScheme(String(options.scheme));
  const target = parseTarget(String(options.target ?? 'onnx'));
  const wide = scheme === 'w8a16' || scheme === 'w4a16';
  const activationType = options.activationType ?? (wide ? TARGET_TYPES[target].w8a16 : TARGET_TYPES[target].w8a8);
  const activationTypeReason = options.activationType ? '--activation-type' : `default for ${target}`;
  if (!(ACTIVATION_TYPES as readonly string[]).includes(activationType)) {
    throw new UsageError(`unknown activation type '${activationType}' (known: ${ACTIVATION_TYPES.join(', ')})`);
  }
  if (STATIC_SCHEMES.includes(scheme) && wide !== activationType.endsWith('16')) {
    throw new UsageError(`${scheme} takes ${wide ? 'uint16 or int16' : 'uint8 or int8'} activations, not ${activationType}`);
  }
  const blockSize = options.blockSize ?? 32;
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new UsageError(`block size must be a power of two ≥ 16, got ${blockSize}`);
  }
  const weightBlock = INT4_SCHEMES.includes(scheme) && options.blockSize !== undefined ? blockSize : 0;
  if (weightBlock && options.perChannel === false) throw new UsageError(`${scheme} with a block size quantizes int4 weights per output channel and block; it cannot be per-tensor (drop --per-tensor or the block size)`);
  if (weightBlock && target === 'qnn') throw new UsageError(`${scheme} for qnn takes int4 weights per output channel: drop the block size`);
  if (STATIC_SCHEMES.includes(scheme) && !options.calibration) {
    throw new UsageError(`scheme ${scheme} needs calibration data (e.g. --calibration mnist:train)`);
  }
  const cal = options.calibration;
  const calibration = cal && {
    source: cal.source,
    method: parseMethod(cal.method ?? 'minmax'),
    limit: cal.limit ?? 1000,
    batchSize: cal.batchSize ?? 32,
  };
  if (calibration && !(Number.isInteger(calibration.limit) && calibration.limit > 0)) {
    throw new UsageError(`calibration limit must be a positive integer, got ${calibration.limit}`);
  }
  const ptq = [...(options.ptq ?? [])];
  if (options.int8Weights?.length && !INT4_SCHEMES.includes(scheme)) throw new UsageError(`int8 weights for chosen nodes (--int8-weights) mix precision in the int4 schemes (${INT4_SCHEMES.join(', ')}), not ${scheme}`);
  if (ptq.length && !STATIC_SCHEMES.includes(scheme)) throw new UsageError(`--ptq ${ptq.join(',')} is for the static schemes (${STATIC_SCHEMES.join(', ')}), not ${scheme}`);
  return {
    scheme,
    ...(calibration ? { calibration } : {}),
    exclude: [...(options.exclude ?? [])],
    floatValues: [...(options.floatValues ?? [])],
    wideValues: [...(options.wideValues ?? [])],
    int8Weights: [...(options.int8Weights ?? [])],
    perChannel: options.perChannel ?? true,
    symmetric: options.symmetric ?? true,
    target,
    activationType,
    activationTypeReason,
    blockSize,
    weightBlock,
    runPasses: options.runPasses ?? true,
    ptq,
    readerRanges: options.readerRanges ?? false,
    progress: options.progress ?? { start() {}, update() {}, stop() {} },
  };
}
