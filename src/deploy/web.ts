// `ondevice deploy web`: writes a static, offline-capable site (PWA) that runs a model on the camera, a drawing pad or photos.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { loadRecipe, recipePathFor, type Recipe } from '../data/recipe.ts';
import { UsageError } from '../errors.ts';
import { readModel } from '../formats/registry.ts';
import { externalDataFiles } from '../ir/external.ts';
import { DEFAULT_MODEL } from '../paths.ts';
import { buildWebApp, SW_TEMPLATE } from './app-build.ts';
import { TASKS, type AppConfig, type BackendName, type InputMode, type Task } from './app-config.ts';
import { writeDirAtomically } from '../util/atomic-dir.ts';
import { onnxForWeb, type WebModel } from './onnx-for-web.ts';
import { ortFilesFor, ortWebDist } from './ort-files.ts';
import { listSite, serviceWorker, webManifest } from './site-files.ts';

/** What to deploy and where. */
export interface DeployWebOptions {
  /** Output folder (replaced atomically if it holds an earlier ondevice site). */
  out: string;
  /** The model (.onnx); default: the embedded LeNet-5 with its recipe and labels. */
  model?: string;
  /** Labels file, one label per line (default: the recipe's `labels`, resolved beside the recipe). */
  labels?: string;
  task?: Task;
  /** Preprocessing recipe (default: `NAME.preprocess.json` or `preprocess.json` beside the model). */
  preprocess?: string;
  /** Labels shown (default 5, at most the class count). */
  topK?: number;
  /** Include onnxruntime-web's WebGPU build (≈27 MB, fetched only by browsers with WebGPU; default true). */
  webgpu?: boolean;
}

/** What was written. */
export interface DeployWebResult {
  dir: string;
  config: AppConfig;
  /** Every file of the site (site paths). */
  files: string[];
  /** What the service worker precaches on the first visit. */
  precache: string[];
  bytes: number;
}

function findRecipe(model: string, given?: string): string {
  if (given) return given;
  if (resolve(model) === DEFAULT_MODEL.path) return DEFAULT_MODEL.preprocess;
  const candidates = [recipePathFor(model), join(dirname(model), 'preprocess.json')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new UsageError(`no preprocessing recipe found (looked for ${candidates.map((c) => basename(c)).join(', ')}); pass --recipe FILE`, { file: model });
  return found;
}

function readLabels(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/);
  } catch (e) {
    throw new UsageError(`cannot read labels: ${(e as Error).message}`, { file, cause: e });
  }
}

/** Checks the model against the recipe and labels: the input exists, the class count matches. */
async function checkModel(model: string, recipe: Recipe, recipeFile: string, labels: string[] | null, labelsFile: string | null) {
  const read = await readModel(model);
  // The site holds the .onnx file alone and the app fetches just that: weights in external-data files would not load.
  const external = externalDataFiles(read).map((f) => f.location);
  if (external.length) {
    throw new UsageError(`the model keeps weights in external data (${external.join(', ')}), which the web app cannot load; ` +
      're-save it without external data (e.g. `ondevice compile --target onnx MODEL -o ONE_FILE.onnx`) and deploy that', { file: model });
  }
  const graph = read.graph;
  const input = graph.inputs.find((i) => i.name === recipe.input);
  if (!input) throw new UsageError(`the recipe feeds input '${recipe.input}' but the model's inputs are ${graph.inputs.map((i) => i.name).join(', ')}`, { file: recipeFile });
  const output = recipe.output ? graph.outputs.find((o) => o.name === recipe.output) : graph.outputs[0];
  if (!output) throw new UsageError(`the recipe reads output '${recipe.output}' but the model's outputs are ${graph.outputs.map((o) => o.name).join(', ')}`, { file: recipeFile });
  const classes = output.type.kind === 'tensor' ? output.type.shape?.at(-1) : undefined;
  if (labels && typeof classes === 'number' && labels.length !== classes) {
    throw new UsageError(`${labels.length} labels for a model with ${classes} classes`, { file: labelsFile ?? undefined });
  }
  return typeof classes === 'number' ? classes : undefined;
}

/** Digit mode (drawing pad, MNIST normalisation) for one-channel 28×28 inputs; whole-image otherwise. */
function inputModeFor(recipe: Recipe): InputMode {
  return recipe.channels === 'GRAY' && recipe.size[0] === 28 && recipe.size[1] === 28 ? 'digit' : 'image';
}

/**
 * Writes the site: the built app, `model/` (model, labels, recipe), `ort/` (onnxruntime-web wasm + glue, so nothing
 * comes from a CDN), config.json, manifest.webmanifest and sw.js (precaches everything but the optional WebGPU build).
 * @throws UsageError for a missing/unsupported model, recipe or labels, or an output folder that is not ours.
 */
export async function deployWeb(options: DeployWebOptions): Promise<DeployWebResult> {
  const model = resolve(options.model ?? DEFAULT_MODEL.path);
  if (!existsSync(model) || !statSync(model).isFile()) throw new UsageError('no such model file', { file: model });
  if (extname(model).toLowerCase() === '.tflite') {
    throw new UsageError('the web app runs ONNX models for now (.tflite comes with the LiteRT.js backend)', { file: model });
  }
  const task = options.task ?? 'classify';
  if (!TASKS.includes(task)) throw new UsageError(`unknown task '${task}' (known: ${TASKS.join(', ')})`);
  const recipeFile = resolve(findRecipe(model, options.preprocess));
  const recipe = loadRecipe(recipeFile);
  const labelsFile = options.labels ? resolve(options.labels) : recipe.labels ? resolve(dirname(recipeFile), recipe.labels) : null;
  if (labelsFile && !options.labels && !existsSync(labelsFile)) throw new UsageError(`the recipe names labels '${recipe.labels}', which do not exist`, { file: recipeFile });
  const labels = labelsFile ? readLabels(labelsFile) : null;
  // A TF.js model.json is compiled to ONNX first (shaped as the recipe feeds it); the site holds that .onnx.
  const web = await onnxForWeb(model, recipe);
  try {
    return await writeSite(web, options, task, recipe, recipeFile, labels, labelsFile);
  } finally {
    web.dispose();
  }
}

async function writeSite(web: WebModel, options: DeployWebOptions, task: Task, recipe: Recipe, recipeFile: string, labels: string[] | null, labelsFile: string | null): Promise<DeployWebResult> {
  const model = web.path;
  const classes = await checkModel(model, recipe, recipeFile, labels, labelsFile);
  const topK = Math.min(options.topK ?? 5, classes ?? Infinity, labels?.length ?? Infinity);
  if (!(Number.isInteger(topK) && topK >= 1)) throw new UsageError(`top-k must be a positive integer, got ${options.topK}`);
  const backends: BackendName[] = options.webgpu === false ? ['wasm'] : ['webgpu', 'wasm'];
  const name = web.name;
  const config: AppConfig = {
    ondevice: 1, name, task, model: `model/${basename(model)}`, format: 'onnx', labels: labels ? 'model/labels.txt' : null,
    recipe: 'model/preprocess.json', input: inputModeFor(recipe), topK, backends, ortPath: 'ort/',
  };

  const app = await buildWebApp();
  const dist = ortWebDist();
  const isOurs = (dir: string) => {
    try {
      return (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Partial<AppConfig>).ondevice === 1;
    } catch {
      return false;
    }
  };
  return writeDirAtomically(options.out, isOurs, async (temp) => {
    cpSync(app, temp, { recursive: true, filter: (src) => basename(src) !== SW_TEMPLATE });
    mkdirSync(join(temp, 'model'));
    copyFileSync(model, join(temp, config.model));
    if (labels) writeFileSync(join(temp, 'model', 'labels.txt'), `${labels.join('\n')}\n`);
    writeFileSync(join(temp, config.recipe), `${JSON.stringify(recipe, null, 2)}\n`);
    mkdirSync(join(temp, 'ort'));
    for (const f of ortFilesFor(backends)) copyFileSync(join(dist, f), join(temp, 'ort', f));
    writeFileSync(join(temp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileSync(join(temp, 'manifest.webmanifest'), webManifest(name));
    const optional = new Set(ortFilesFor(backends.filter((b) => b !== 'wasm')).map((f) => `ort/${f}`));
    const precache = ['./', ...listSite(temp).filter((f) => !optional.has(f))];
    writeFileSync(join(temp, 'sw.js'), serviceWorker(readFileSync(join(app, SW_TEMPLATE), 'utf8'), temp, precache));
    const files = listSite(temp);
    const bytes = files.reduce((sum, f) => sum + statSync(join(temp, f)).size, 0);
    return { dir: resolve(options.out), config, files, precache, bytes };
  });
}
