// The site's config.json contract between `ondevice deploy web` and the page (web/app imports it): DOM-free, Node-free, no imports.

/** Execution backends the page can try, in order of preference. */
export const BACKEND_NAMES = ['webgpu', 'wasm'] as const;
/** A backend name. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Tasks the page knows how to show (the same kinds as src/tasks/task.ts, which this file may not import). */
export const TASKS = ['classify', 'detect', 'segment', 'ocr', 'audio'] as const;
/** A task name. */
export type Task = (typeof TASKS)[number];

/**
 * How frames become model input: 'digit' normalises a handwritten digit the way MNIST was made
 * (see web/app/preprocess/digit.ts) and offers a drawing pad; 'image' applies the recipe to the whole frame.
 */
export type InputMode = 'digit' | 'image';

/** What `ondevice deploy web` writes to config.json; every path is relative to the site root. */
export interface AppConfig {
  /** Marks the file as ours (deploy refuses to overwrite a folder that is not an ondevice site). */
  ondevice: 1;
  /** Model name shown in the page title. */
  name: string;
  task: Task;
  /** Model file and its format. */
  model: string;
  format: 'onnx';
  /** Labels file (one per line), or null to show class indices. */
  labels: string | null;
  /** Preprocessing recipe (JSON, as validated by src/data/recipe.ts); null for tasks that prepare their own input (ocr, audio). */
  recipe: string | null;
  input: InputMode;
  /**
   * The task template (src/tasks/task.ts, validated and with its defaults filled). File names in it (an OCR task's
   * `recognizer` and `dictionary`) are relative to it.
   */
  taskFile: string;
  /** How many labels to show. */
  topK: number;
  /** Backends to try, best first; the page falls back along this list. */
  backends: BackendName[];
  /** Folder (with trailing slash) holding the onnxruntime-web wasm and glue files. */
  ortPath: string;
}
