// A folder of images (any format sharp decodes) as a DataSource, in sorted file order, preprocessed by a recipe; class sub-folders are labels.
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { UsageError } from '../errors.ts';
import { examplesToRead, hashFile, newFingerprint } from './batching.ts';
import { classFolderOf, folderLabels } from './class-folders.ts';
import { IMAGE_EXTENSIONS, loadImageExample } from './image.ts';
import { recipeExampleDims, type Recipe } from './recipe.ts';
import type { DataBatch } from './source.ts';
import type { TypedDataSource } from './typed-source.ts';

/**
 * The image files under `dir` (recursively), sorted by relative path.
 * @throws UsageError naming the folder if it is missing, not a folder or holds no images.
 */
export function listImages(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError('not a folder', { file: dir });
    names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError('no such image folder', { file: dir, cause: e });
    throw new UsageError(`cannot read image folder: ${(e as Error).message}`, { file: dir, cause: e });
  }
  const files = names
    .filter((n) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(n).toLowerCase()))
    .map((n) => join(dir, n))
    .filter((f) => statSync(f).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) throw new UsageError(`image folder holds no images (looked for ${IMAGE_EXTENSIONS.join(' ')})`, { file: dir });
  return files;
}

/** Options for {@link imageFolderSource}. */
export interface ImageFolderOptions {
  /** Labels file giving the class index of each class sub-folder (default: `dir/labels.txt` if it exists, else sorted folder names). */
  labels?: string;
}

/**
 * Images in `dir` as float32 batches for `recipe.input`, [n,C,H,W] or [n,H,W,C]. When every image sits in a
 * sub-folder (`dir/<class>/…`), batches carry labels: the class index of that sub-folder (see {@link folderLabels}).
 * @throws UsageError for an empty folder or a class sub-folder the labels file does not name;
 *   batches() throws FormatError naming an undecodable image.
 */
export function imageFolderSource(dir: string, recipe: Recipe, options: ImageFolderOptions = {}): TypedDataSource & { files: string[] } {
  const files = listImages(dir);
  const labelled = folderLabels(dir, files, options.labels);
  const exampleDims = recipeExampleDims(recipe);
  const exampleSize = exampleDims.reduce((a, b) => a * b, 1);
  return {
    description: `images in ${dir} (${files.length} files${labelDescription(dir, files, labelled)})`,
    count: files.length,
    files,
    ...(labelled ? { classNames: labelled.classNames } : {}),
    inputs: [{ name: recipe.input, dtype: 'float32', shape: [null, ...exampleDims] }],
    async fingerprint() {
      const hash = newFingerprint().update(JSON.stringify(recipe));
      for (const f of files) {
        hash.update(`\0${relative(dir, f)}\0`);
        await hashFile(hash, f);
      }
      return hash.digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      const total = examplesToRead(files.length, batchSize, limit);
      for (let start = 0; start < total; start += batchSize) {
        const end = Math.min(total, start + batchSize);
        const chunk = files.slice(start, end);
        const data = new Float32Array(chunk.length * exampleSize);
        const examples = await Promise.all(chunk.map((f) => loadImageExample(f, recipe)));
        examples.forEach((e, i) => data.set(e, i * exampleSize));
        const inputs = { [recipe.input]: { dtype: 'float32' as const, dims: [chunk.length, ...exampleDims], data } };
        yield labelled ? { inputs, labels: labelled.labels.slice(start, end) } : { inputs };
      }
    },
  };
}

/** What the description says about labels: where the class index comes from, or why the folder is unlabelled. */
function labelDescription(dir: string, files: readonly string[], labelled: ReturnType<typeof folderLabels>): string {
  if (labelled) {
    const from = labelled.labelsFile ? `the labels file ${labelled.labelsFile}` : 'the sorted sub-folder names';
    return ` in ${labelled.folders.length} class folders, class index from ${from}`;
  }
  const nested = files.filter((f) => classFolderOf(dir, f) !== undefined).length;
  return nested > 0 ? `, unlabelled: ${files.length - nested} at the top level, not in class sub-folders` : '';
}
