// Which task template a deployed app runs: a task file beside the model (or given), a kind from --task, or a guess from shapes.
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { checkTaskOutputs, readTaskFile, taskFileCandidates } from '../evaluate/task-metrics/task-file.ts';
import type { Graph, Dim } from '../ir/graph.ts';
import { defaultTask, parseTask, TASK_DEFAULTS } from '../tasks/parse.ts';
import { TASK_KINDS, type Task, type TaskKind } from '../tasks/task.ts';

/** What the user asked for: `--task KIND|FILE`, OCR's `--recognizer`/`--dictionary`, and `--top-k` for classify. */
export interface TaskRequest {
  /** A task kind (`detect`) or a task file (`face.task.json`). */
  task?: string;
  recognizer?: string;
  dictionary?: string;
  topK?: number;
}

/** The chosen template, the file it came from (null: built from the kind and the model's shapes), and absolute paths of the files it names. */
export interface ResolvedTask {
  task: Task;
  file: string | null;
  /** OCR: the recogniser model and dictionary; a labels file when the template names one. */
  files: { recognizer?: string; dictionary?: string; labels?: string };
}

/** True when a `--task` value names a file rather than a kind. */
function isTaskFile(value: string): boolean {
  return !(TASK_KINDS as readonly string[]).includes(value);
}

const shapeOf = (g: Graph, name: string): readonly Dim[] => {
  const v = [...g.inputs, ...g.outputs].find((x) => x.name === name);
  return v?.type.kind === 'tensor' ? v.type.shape ?? [] : [];
};

/** The task `defaultTask` guesses from the model's shapes. */
function guessTask(graph: Graph): Task {
  const outputs = Object.fromEntries(graph.outputs.map((o) => [o.name, shapeOf(graph, o.name)]));
  return defaultTask(graph.inputs[0] ? shapeOf(graph, graph.inputs[0].name) : [], outputs);
}

/** A template for `kind` when there is no task file: defaults from the model's shapes, or a UsageError saying what is missing. */
function templateFor(kind: TaskKind, graph: Graph, request: TaskRequest, model: string): Task {
  const guessed = guessTask(graph);
  switch (kind) {
    case 'classify':
      return { task: 'classify', output: graph.outputs[0]?.name, topK: request.topK ?? TASK_DEFAULTS.classify.topK };
    case 'segment':
      if (guessed.task !== 'segment') throw new UsageError(`--task segment: the first output ${JSON.stringify(graph.outputs[0] ? shapeOf(graph, graph.outputs[0].name) : [])} is not a mask ([1,1,H,W], [1,H,W,1] or two channels); write a task file (docs/tasks.md)`, { file: model });
      return guessed;
    case 'audio':
      if (guessed.task !== 'audio') throw new UsageError('--task audio: the input is not a fixed [1,N] block of samples; write a task file with sampleRate, frame and hop (docs/tasks.md)', { file: model });
      return guessed;
    case 'detect':
      throw new UsageError('--task detect needs a task file naming the boxes and scores outputs and their layout (SSD anchors as data); pass --task FILE (docs/tasks.md)', { file: model });
    case 'ocr':
      if (!request.recognizer || !request.dictionary) throw new UsageError('--task ocr needs --recognizer REC.onnx and --dictionary KEYS.txt (or a task file naming them)', { file: model });
      return parseTask({ task: 'ocr', recognizer: basename(request.recognizer), dictionary: basename(request.dictionary) });
  }
}

/**
 * The task template for deploying `model` (already read as `graph`): `--task FILE`, else a kind from `--task` or the task file
 * beside the model (`MODEL.task.json`, `task.json`); a kind with no file gets defaults from the model's shapes; with neither,
 * the kind is guessed from the shapes (a mask output → segment; samples in → audio; else classify).
 * @throws UsageError for a bad or mismatched task file, a kind that needs a file, or outputs the template names that the model lacks.
 */
export function resolveTask(model: string, graph: Graph, request: TaskRequest): ResolvedTask {
  const given = request.task && isTaskFile(request.task) ? resolve(request.task) : undefined;
  if (given && !existsSync(given)) throw new UsageError(`--task: '${request.task}' is neither a task kind (${TASK_KINDS.join(', ')}) nor an existing task file`, { file: given });
  const file = given ?? taskFileCandidates(model).find((f) => existsSync(f)) ?? null;
  const kind = request.task && !given ? (request.task as TaskKind) : undefined;
  let task: Task;
  if (file) {
    task = readTaskFile(file);
    if (kind && kind !== task.task) throw new UsageError(`--task ${kind}, but the task file beside the model is a ${task.task} template; pass --task ${file} or remove it`, { file });
  } else if (kind) {
    task = templateFor(kind, graph, request, model);
  } else {
    const guessed = guessTask(graph);
    task = guessed.task === 'classify' ? templateFor('classify', graph, request, model) : guessed;
  }
  if (task.task === 'classify' && request.topK !== undefined) task.topK = request.topK;
  const base = file ? dirname(file) : process.cwd();
  const files: ResolvedTask['files'] = {};
  if (task.task === 'ocr') {
    files.recognizer = request.recognizer ? resolve(request.recognizer) : resolve(base, task.recognizer);
    files.dictionary = request.dictionary ? resolve(request.dictionary) : resolve(base, task.dictionary);
    for (const [what, f] of Object.entries(files)) if (!existsSync(f)) throw new UsageError(`the ${what} does not exist`, { file: f });
  }
  if ((task.task === 'classify' || task.task === 'detect' || task.task === 'audio') && task.labels) files.labels = resolve(base, task.labels);
  checkTaskOutputs(task, graph.outputs, model, file ?? model);
  return { task, file, files };
}
