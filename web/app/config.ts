// The site's config.json: which model, labels and recipe the page loads, and how it takes its input (DOM-free, shared with src/deploy).
import type { WebRecipe } from './preprocess/recipe.ts';

/** Execution backends the page can try, in order of preference. */
export const BACKEND_NAMES = ['webgpu', 'wasm'] as const;
/** A backend name. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Tasks the page knows how to show. */
export const TASKS = ['classify'] as const;
/** A task name. */
export type Task = (typeof TASKS)[number];

/**
 * How frames become model input: 'digit' normalises a handwritten digit the way MNIST was made
 * (see preprocess/digit.ts) and offers a drawing pad; 'image' applies the recipe to the whole frame.
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
  /** Preprocessing recipe (JSON, as validated by src/data/recipe.ts). */
  recipe: string;
  input: InputMode;
  /** How many labels to show. */
  topK: number;
  /** Backends to try, best first; the page falls back along this list. */
  backends: BackendName[];
  /** Folder (with trailing slash) holding the onnxruntime-web wasm and glue files. */
  ortPath: string;
}

/** The recipe as the page reads it (what src/data/recipe.ts validated and wrote). */
export type { WebRecipe };
