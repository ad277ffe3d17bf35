// Class names: read a labels file (one name per line, line index = class index) and find the one that applies.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import type { Recipe } from './recipe.ts';

/** The usual name of a labels file, looked for beside the model and in the data folder. */
export const LABELS_FILE = 'labels.txt';

/**
 * Read a labels file: one class name per line (surrounding spaces and a trailing CR trimmed), line index = class
 * index; empty lines at the end are ignored.
 * @throws UsageError naming the file if it cannot be read or names no class.
 */
export function readLabels(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read labels file: ${(e as Error).message}`, { file: path, cause: e });
  }
  const names = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.trim());
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  if (names.length === 0) throw new UsageError('labels file names no class (expected one class name per line)', { file: path });
  return names;
}

/** Where {@link findLabels} looks. Every field is optional. */
export interface LabelsLookup {
  /** A labels file the user named (e.g. `--labels`): used as is, an error later if it cannot be read. */
  explicit?: string;
  /** The preprocessing recipe, whose `labels` field may name a labels file … */
  recipe?: Pick<Recipe, 'labels'>;
  /** … relative to the recipe file's folder. */
  recipePath?: string;
  /** The model whose classes are meant: `labels.txt` beside it. */
  modelPath?: string;
  /** The data spec: when it is a folder, `labels.txt` in it. */
  data?: string;
}

/**
 * The labels file to use, or undefined: the explicit one; else the recipe's `labels` (if that file exists); else
 * `labels.txt` beside the model; else `labels.txt` in the data folder.
 */
export function findLabels(lookup: LabelsLookup): string | undefined {
  if (lookup.explicit) return lookup.explicit;
  const candidates: string[] = [];
  const named = lookup.recipe?.labels;
  if (named) candidates.push(isAbsolute(named) ? named : resolve(lookup.recipePath ? dirname(lookup.recipePath) : '.', named));
  if (lookup.modelPath) candidates.push(join(dirname(lookup.modelPath), LABELS_FILE));
  if (lookup.data && isFolder(lookup.data)) candidates.push(join(lookup.data, LABELS_FILE));
  return candidates.find((p) => existsSync(p) && statSync(p).isFile());
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
