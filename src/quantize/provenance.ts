// Provenance of a quantized model: the `ondevice.quantization` metadata entry (scheme, method, data, exclusions, tool, date).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../ir/graph.ts';
import { PACKAGE_ROOT } from '../paths.ts';

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
  activationType?: string;
  blockSize?: number;
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
