// Task files on disk: found beside a model (`MODEL.task.json`, `task.json`) or given, read, validated, checked against the model's outputs (evaluate and deploy).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { UsageError } from '../../errors.ts';
import { parseTask } from '../../tasks/parse.ts';
import type { Task } from '../../tasks/task.ts';

/** A task template and the file it came from (files it names are relative to that file's folder). */
export interface TaskFile {
  task: Task;
  file: string;
}

/** Where the task file of a model is looked for, in order: `MODEL-NAME.task.json`, then `task.json` beside it. */
export function taskFileCandidates(model: string): string[] {
  return [join(dirname(model), `${basename(model, extname(model))}.task.json`), join(dirname(model), 'task.json')];
}

/**
 * Reads and validates one task file.
 * @throws UsageError naming the file when it is missing, unreadable, not JSON or not a valid template.
 */
export function readTaskFile(file: string): Task {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read task file: ${(e as Error).message}`, { file, cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`task file is not valid JSON: ${(e as Error).message}`, { file, cause: e });
  }
  return parseTask(json, file);
}

/**
 * The task file for evaluating `reference`: `explicit` when given (it must exist), else the first of
 * {@link taskFileCandidates} that exists, else undefined (no task metrics).
 * @throws UsageError naming the file when it is missing, unreadable, not JSON or not a valid template.
 */
export function findEvaluationTask(reference: string, explicit?: string): TaskFile | undefined {
  const file = explicit ?? taskFileCandidates(reference).find((f) => existsSync(f));
  return file ? { task: readTaskFile(file), file } : undefined;
}

/**
 * Checks that `task` fits a model with these outputs: every output it names exists (detect: boxes and scores; segment and
 * audio: `output`). The error names the task file and the model.
 * @throws UsageError naming `file`.
 */
export function checkTaskOutputs(task: Task, outputs: readonly { name: string }[], model: string, file: string | undefined): void {
  const names = outputs.map((o) => o.name);
  const named = task.task === 'detect' ? [task.boxes, task.scores] : task.task === 'segment' || task.task === 'audio' || task.task === 'classify' ? [task.output] : [];
  for (const n of named) {
    if (n !== undefined && !names.includes(n)) {
      throw new UsageError(`the ${task.task} task reads output '${n}', but ${basename(model)} has outputs ${names.map((x) => `'${x}'`).join(', ')}`, { file });
    }
  }
}
