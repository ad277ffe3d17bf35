// `ondevice deploy web`: writes a static, offline-capable site (PWA) that runs a model on the camera, a drawing pad or photos.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { findRecipe, loadRecipe, parseRecipe, recipeCandidates, type Recipe } from '../data/recipe.ts';
import { UsageError } from '../errors.ts';
import { readModel } from '../formats/registry.ts';
import type { Graph, Model } from '../ir/graph.ts';
import { externalDataFiles } from '../ir/external.ts';
import { DEFAULT_MODEL } from '../paths.ts';
import type { Task, TaskKind } from '../tasks/task.ts';
import { buildWebApp, SW_TEMPLATE } from './app-build.ts';
import type { AppConfig, BackendName, InputMode } from './app-config.ts';
import { resolveTask } from './task-template.ts';
import { writeDirAtomically } from '../util/atomic-dir.ts';
import { onnxForWeb, type WebModel } from './onnx-for-web.ts';
import { ortFilesFor, ortWebDist } from './ort-files.ts';
import { listSite, serviceWorker, webManifest } from './site-files.ts';

/** What to deploy and where. */
export interface DeployWebOptions {
  /** Output folder (replaced atomically if it holds an earlier ondevice site). */
  out: string;
  /** The model (.onnx, .tflite or a TF.js model.json; the last two are compiled to ONNX); default: the embedded LeNet-5. */
  model?: string;
  /** Labels file, one label per line (default: the task's or the recipe's `labels`). */
  labels?: string;
  /**
   * The task: a kind (`classify`, `detect`, `segment`, `ocr`, `audio`) or a task file (docs/tasks.md). Default: the task file
   * beside the model (`MODEL.task.json`, `task.json`), else guessed from the model's shapes.
   */
  task?: string;
  /** OCR: the recogniser model (.onnx) and its dictionary (one character per line), when the task file does not name them. */
  recognizer?: string;
  dictionary?: string;
  /** Preprocessing recipe (default: `NAME.preprocess.json` or `preprocess.json` beside the model, else one from the input shape). */
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
  /** The task template the app runs (as written to the site's task.json). */
  task: Task;
  /** Every file of the site (site paths). */
  files: string[];
  /** What the service worker precaches on the first visit. */
  precache: string[];
  bytes: number;
  /** Defaults the deploy chose for the user (a recipe from the input shape, a guessed task), one sentence each. */
  notes: string[];
}

/** Image tasks feed camera frames through a recipe; ocr and audio prepare their own inputs. */
const IMAGE_TASKS: readonly TaskKind[] = ['classify', 'detect', 'segment'];

function readLabels(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/);
  } catch (e) {
    throw new UsageError(`cannot read labels: ${(e as Error).message}`, { file, cause: e });
  }
}

/** The site holds the .onnx file alone and the app fetches just that: weights in external-data files would not load. */
function refuseExternalData(read: Model, model: string): void {
  const external = externalDataFiles(read).map((f) => f.location);
  if (external.length) {
    throw new UsageError(`the model keeps weights in external data (${external.join(', ')}), which the web app cannot load; ` +
      're-save it without external data (e.g. `ondevice compile --target onnx MODEL -o ONE_FILE.onnx`) and deploy that', { file: model });
  }
}

/** A recipe from the model's static image input ([1,C,H,W] or [1,H,W,C], C 1 or 3): stretch, pixels/255, no mean or std. */
function recipeFromShape(graph: Graph, model: string): Recipe {
  const input = graph.inputs[0];
  const shape = input?.type.kind === 'tensor' ? input.type.shape ?? [] : [];
  const d = shape.map((x) => (typeof x === 'number' && x > 0 ? x : undefined));
  const nchw = d.length === 4 && (d[1] === 1 || d[1] === 3) && d[2] && d[3];
  const nhwc = d.length === 4 && (d[3] === 1 || d[3] === 3) && d[1] && d[2];
  if (!input || !(nchw || nhwc)) {
    throw new UsageError(`no preprocessing recipe found (looked for ${recipeCandidates(model).map((c) => basename(c)).join(', ')}) and the input ` +
      `${input ? `'${input.name}' ${JSON.stringify(shape)}` : ''} is not a fixed image shape to make one from; pass --recipe FILE`, { file: model });
  }
  const [c, h, w] = nchw ? [d[1]!, d[2]!, d[3]!] : [d[3]!, d[1]!, d[2]!];
  return parseRecipe({ input: input.name, layout: nchw ? 'NCHW' : 'NHWC', size: [h, w], channels: c === 1 ? 'GRAY' : 'RGB', scale: 1 / 255, mean: [0], std: [1] });
}

/** Checks the recipe against the model: the input exists. */
function checkRecipe(graph: Graph, recipe: Recipe, recipeFile: string): void {
  if (!graph.inputs.some((i) => i.name === recipe.input)) {
    throw new UsageError(`the recipe feeds input '${recipe.input}' but the model's inputs are ${graph.inputs.map((i) => i.name).join(', ')}`, { file: recipeFile });
  }
}

/** The class count of a classifier's output (its last dim), if static. */
function classCount(graph: Graph, output: string | undefined): number | undefined {
  const o = output ? graph.outputs.find((x) => x.name === output) : graph.outputs[0];
  const last = o?.type.kind === 'tensor' ? o.type.shape?.at(-1) : undefined;
  return typeof last === 'number' ? last : undefined;
}

/** Digit mode (drawing pad, MNIST normalisation) for one-channel 28×28 classifier inputs; whole-image otherwise. */
function inputModeFor(task: Task, recipe: Recipe | null): InputMode {
  return task.task === 'classify' && recipe?.channels === 'GRAY' && recipe.size[0] === 28 && recipe.size[1] === 28 ? 'digit' : 'image';
}

/** Everything deploy decided before writing: models (as ONNX), task, recipe, labels. */
interface Plan {
  web: WebModel;
  recognizer: WebModel | null;
  dictionary: string | null;
  task: Task;
  recipe: Recipe | null;
  labels: string[] | null;
  notes: string[];
}

/**
 * Writes the site: the built app, `model/` (model, task.json, labels, recipe; OCR's recogniser and dictionary), `ort/`
 * (onnxruntime-web wasm + glue, so nothing comes from a CDN), config.json, manifest.webmanifest and sw.js (precaches
 * everything but the optional WebGPU build). A .tflite or TF.js model is compiled to ONNX first.
 * @throws UsageError for a missing/unsupported model, task, recipe or labels, or an output folder that is not ours.
 */
export async function deployWeb(options: DeployWebOptions): Promise<DeployWebResult> {
  const model = resolve(options.model ?? DEFAULT_MODEL.path);
  if (!existsSync(model) || !statSync(model).isFile()) throw new UsageError('no such model file', { file: model });
  const disposers: (() => void)[] = [];
  try {
    const plan = await planSite(model, options, disposers);
    return await writeSite(plan, options);
  } finally {
    for (const d of disposers) d();
  }
}

async function planSite(model: string, options: DeployWebOptions, disposers: (() => void)[]): Promise<Plan> {
  const notes: string[] = [];
  const explicitRecipe = options.preprocess ?? (resolve(model) === DEFAULT_MODEL.path ? DEFAULT_MODEL.preprocess : undefined);
  const recipeFile = findRecipe(model, explicitRecipe);
  const givenRecipe = recipeFile ? loadRecipe(resolve(recipeFile)) : null;
  // A TF.js model.json or .tflite is compiled to ONNX first (a TF.js model shaped as the recipe feeds it); the site holds that .onnx.
  const web = await onnxForWeb(model, givenRecipe ?? undefined);
  disposers.push(() => web.dispose());
  const read = await readModel(web.path);
  refuseExternalData(read, model);
  const graph = read.graph;
  const resolved = resolveTask(model, graph, { task: options.task, recognizer: options.recognizer, dictionary: options.dictionary, topK: options.topK });
  const task = resolved.task;
  if (!resolved.file && !options.task) notes.push(`no task file beside the model: running it as ${task.task} (guessed from its shapes; pass --task to choose)`);
  let recipe: Recipe | null = null;
  if (IMAGE_TASKS.includes(task.task)) {
    recipe = givenRecipe;
    if (!recipe) {
      recipe = recipeFromShape(graph, model);
      notes.push(`no preprocessing recipe beside the model: the app feeds '${recipe.input}' ${recipe.layout} ${recipe.channels} ${recipe.size.join('×')}, pixels/255 (pass --recipe FILE for the model's own normalisation)`);
    }
    checkRecipe(graph, recipe, recipeFile ? resolve(recipeFile) : model);
  }
  let recognizer: WebModel | null = null;
  if (task.task === 'ocr') {
    recognizer = await onnxForWeb(resolved.files.recognizer!);
    disposers.push(() => recognizer!.dispose());
    refuseExternalData(await readModel(recognizer.path), resolved.files.recognizer!);
  }
  const labelsFile = options.labels ? resolve(options.labels) : resolved.files.labels
    ?? (task.task === 'classify' && recipe?.labels && recipeFile ? resolve(dirname(resolve(recipeFile)), recipe.labels) : null);
  if (labelsFile && !options.labels && !existsSync(labelsFile)) throw new UsageError(`labels '${basename(labelsFile)}' named by the ${resolved.files.labels ? 'task' : 'recipe'} do not exist`, { file: labelsFile });
  const labels = labelsFile ? readLabels(labelsFile) : null;
  if (task.task === 'classify') {
    const classes = classCount(graph, task.output ?? recipe?.output);
    if (labels && classes !== undefined && labels.length !== classes) throw new UsageError(`${labels.length} labels for a model with ${classes} classes`, { file: labelsFile ?? undefined });
    const k = Math.min(task.topK ?? 5, classes ?? Infinity, labels?.length ?? Infinity);
    if (!(Number.isInteger(k) && k >= 1)) throw new UsageError(`top-k must be a positive integer, got ${options.topK}`);
    task.topK = k;
    if (!task.output && recipe?.output) task.output = recipe.output;
  }
  return { web, recognizer, dictionary: resolved.files.dictionary ?? null, task, recipe, labels, notes };
}

async function writeSite(plan: Plan, options: DeployWebOptions): Promise<DeployWebResult> {
  const { web, task, recipe, labels } = plan;
  const backends: BackendName[] = options.webgpu === false ? ['wasm'] : ['webgpu', 'wasm'];
  const name = web.name;
  // The site's task.json names the recogniser and dictionary by their site names (relative to task.json, in model/).
  const siteTask: Task = task.task === 'ocr' ? { ...task, recognizer: 'recognizer.onnx', dictionary: 'dictionary.txt' } : { ...task };
  if ('labels' in siteTask && siteTask.labels) siteTask.labels = 'labels.txt';
  const config: AppConfig = {
    ondevice: 1, name, task: task.task, model: `model/${basename(web.path)}`, format: 'onnx', labels: labels ? 'model/labels.txt' : null,
    recipe: recipe ? 'model/preprocess.json' : null, input: inputModeFor(task, recipe), topK: task.task === 'classify' ? task.topK ?? 5 : 0,
    backends, ortPath: 'ort/', taskFile: 'model/task.json',
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
    copyFileSync(web.path, join(temp, config.model));
    if (labels) writeFileSync(join(temp, 'model', 'labels.txt'), `${labels.join('\n')}\n`);
    if (recipe) writeFileSync(join(temp, 'model', 'preprocess.json'), `${JSON.stringify(recipe, null, 2)}\n`);
    writeFileSync(join(temp, config.taskFile), `${JSON.stringify(siteTask, null, 2)}\n`);
    if (siteTask.task === 'ocr') {
      copyFileSync(plan.recognizer!.path, join(temp, 'model', siteTask.recognizer));
      copyFileSync(plan.dictionary!, join(temp, 'model', siteTask.dictionary));
    }
    mkdirSync(join(temp, 'ort'));
    for (const f of ortFilesFor(backends)) copyFileSync(join(dist, f), join(temp, 'ort', f));
    writeFileSync(join(temp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileSync(join(temp, 'manifest.webmanifest'), webManifest(name));
    const optional = new Set(ortFilesFor(backends.filter((b) => b !== 'wasm')).map((f) => `ort/${f}`));
    const precache = ['./', ...listSite(temp).filter((f) => !optional.has(f))];
    writeFileSync(join(temp, 'sw.js'), serviceWorker(readFileSync(join(app, SW_TEMPLATE), 'utf8'), temp, precache));
    const files = listSite(temp);
    const bytes = files.reduce((sum, f) => sum + statSync(join(temp, f)).size, 0);
    return { dir: resolve(options.out), config, task: siteTask, files, precache, bytes, notes: plan.notes };
  });
}
