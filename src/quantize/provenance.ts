// Provenance of a quantized model: the `ondevice.quantization` metadata entry (scheme, method, data, exclusions, tool, date).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from '../data/source.ts';
import type { Model } from '../ir/graph.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { ACTIVATION_TYPES, parseMethod, parsePtqSteps, parseScheme, type ActivationType, type QuantizeOptions } from './schemes.ts';

/** The metadata key holding the JSON provenance record. */
export const PROVENANCE_KEY = 'ondevice.quantization';

/** How a model was quantized, as stored in its metadata. */
export interface QuantizationProvenance {
  scheme: string;
  method?: string;
  /** Fingerprint of the calibration data (files + recipe). */
  dataFingerprint?: string;
  calibrationData?: string;
  calibrationExamples?: number;
  excluded: string[];
  perChannel: boolean;
  symmetric: boolean;
  /** The runtime the model was quantized for (`onnx`, `qnn`); absent in records older than targets. */
  target?: string;
  activationType?: string;
  /** Why that activation type: 'default for onnx' (the target's rule, docs/quantization.md) or '--activation-type'. */
  activationTypeReason?: string;
  blockSize?: number;
  /** Post-training steps run (absent: none, or a record older than them). */
  ptq?: string[];
  /** 8-bit ranges narrowed to their readers (`--reader-ranges`). */
  readerRanges?: boolean;
  /** Mixed precision: activations at 16 bits in an 8-bit scheme, activations left float, layers with int8 weights in an int4 scheme. */
  wideValues?: string[];
  floatValues?: string[];
  int8Weights?: string[];
  /** The input was pre-quantized: its quantization ops (`N Op, …`), dequantized before this quantization. */
  dequantizedFrom?: string;
  tool: string;
  date: string;
}

let toolVersion: string | undefined;

/** `ondevice <version>` from package.json. */
export function toolName(): string {
  toolVersion ??= (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return `ondevice ${toolVersion}`;
}

/** Stores the record in the model's metadata (replacing an earlier one). */
export function recordProvenance(model: Model, record: QuantizationProvenance): void {
  model.metadata = model.metadata.filter(([k]) => k !== PROVENANCE_KEY);
  model.metadata.push([PROVENANCE_KEY, JSON.stringify(record)]);
}

/** The record stored in a model's metadata, or undefined. */
export function readProvenance(model: Model): QuantizationProvenance | undefined {
  const entry = model.metadata.find(([k]) => k === PROVENANCE_KEY);
  if (!entry) return undefined;
  try {
    return JSON.parse(entry[1]) as QuantizationProvenance;
  } catch {
    return undefined;
  }
}

/**
 * The options that re-quantize a model the way `record` says it was made (scheme, exclusions, weight
 * layout, activation type, block size, PTQ steps, reader ranges, mixed-precision lists, and the calibration method and
 * example count over `calibration`).
 * @throws UsageError for a scheme or method this version does not know.
 */
export function quantizeOptionsFromProvenance(record: QuantizationProvenance, calibration?: DataSource): QuantizeOptions {
  const activationType = (ACTIVATION_TYPES as readonly string[]).includes(record.activationType ?? '') ? record.activationType as ActivationType : undefined;
  return {
    scheme: parseScheme(record.scheme),
    exclude: [...record.excluded],
    perChannel: record.perChannel,
    symmetric: record.symmetric,
    ...(record.method && calibration ? { calibration: { source: calibration, method: parseMethod(record.method), limit: record.calibrationExamples ?? 1000 } } : {}),
    ...(activationType ? { activationType } : {}),
    ...(record.target === 'onnx' || record.target === 'qnn' ? { target: record.target } : {}),
    ...(record.blockSize ? { blockSize: record.blockSize } : {}),
    ...(record.ptq?.length ? { ptq: parsePtqSteps(record.ptq.join(',')) } : {}),
    ...(record.readerRanges ? { readerRanges: true } : {}),
    ...(record.wideValues?.length ? { wideValues: [...record.wideValues] } : {}),
    ...(record.floatValues?.length ? { floatValues: [...record.floatValues] } : {}),
    ...(record.int8Weights?.length ? { int8Weights: [...record.int8Weights] } : {}),
  };
}
