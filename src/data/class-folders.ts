// Labels of an image folder laid out as DIR/<class>/…: the class of each file, indexed by a labels file or sorted folder names.
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UsageError } from '../errors.ts';
import { LABELS_FILE, readLabels } from './labels.ts';

/** The labels of a folder of class sub-folders. */
export interface FolderLabels {
  /** Class names, index = class index (every name of the labels file, or the sorted sub-folder names). */
  classNames: string[];
  /** Class index of each file, in the order of the files given. */
  labels: Int32Array;
  /** The labels file the class index comes from; undefined when it comes from the sorted sub-folder names. */
  labelsFile?: string;
  /** The class sub-folders that hold images, sorted. */
  folders: string[];
}

/** The first folder of a file's path relative to `dir`, or undefined for a file directly in `dir`. */
export function classFolderOf(dir: string, file: string): string | undefined {
  const parts = relative(dir, file).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/**
 * Labels for `files` (image files under `dir`) when every one sits in a sub-folder of `dir`: the sub-folder is its class.
 * The class index comes from `labelsFile` (default: `dir/labels.txt` if it exists), whose line index is the class index;
 * without one, from the sorted names of the sub-folders that hold images. Undefined when any image sits directly in `dir`
 * (a flat folder is unlabelled).
 * @throws UsageError naming the sub-folder when its name is not in the labels file (or names two of its classes),
 *   and naming the labels file when it cannot be read.
 */
export function folderLabels(dir: string, files: readonly string[], labelsFile?: string): FolderLabels | undefined {
  const classOf = files.map((f) => classFolderOf(dir, f));
  if (classOf.length === 0 || classOf.some((c) => c === undefined)) return undefined;
  const folders = [...new Set(classOf as string[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const file = labelsFile ?? (existsSync(join(dir, LABELS_FILE)) ? join(dir, LABELS_FILE) : undefined);
  if (!file) {
    const index = new Map(folders.map((f, i) => [f, i]));
    return { classNames: folders, labels: Int32Array.from(classOf, (c) => index.get(c!)!), folders };
  }
  const classNames = readLabels(file);
  const index = new Map<string, number>();
  classNames.forEach((name, i) => { if (!index.has(name)) index.set(name, i); });
  const unknown = folders.filter((f) => !index.has(f));
  if (unknown.length > 0) {
    const more = unknown.length > 1 ? ` (and ${unknown.length - 1} more: ${unknown.slice(1, 4).map((u) => `'${u}'`).join(', ')}${unknown.length > 4 ? ', …' : ''})` : '';
    throw new UsageError(`sub-folder '${unknown[0]}'${more} is not a class in the labels file ${file} (${classNames.length} classes: ${preview(classNames)}); `
      + 'name class folders as the labels file does, or give the labels file of this model', { file: join(dir, unknown[0]) });
  }
  for (const f of folders) {
    const second = classNames.indexOf(f, index.get(f)! + 1);
    if (second >= 0) throw new UsageError(`sub-folder '${f}' is ambiguous: it names classes ${index.get(f)} and ${second} of the labels file ${file}`, { file: join(dir, f) });
  }
  return { classNames, labels: Int32Array.from(classOf, (c) => index.get(c!)!), labelsFile: file, folders };
}

/** The first few names, quoted, for messages. */
function preview(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => `'${n}'`).join(', ');
  return names.length > 5 ? `${shown}, … '${names[names.length - 1]}'` : shown;
}
