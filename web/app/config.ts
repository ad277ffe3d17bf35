// The site's config.json as the page reads it: the contract lives in src/deploy/app-config.ts (shared with deploy, inside the library build).
export { BACKEND_NAMES, TASKS } from '../../src/deploy/app-config.ts';
export type { AppConfig, BackendName, InputMode, Task } from '../../src/deploy/app-config.ts';

/** The recipe as the page reads it (what src/data/recipe.ts validated and wrote). */
export type { WebRecipe } from './preprocess/recipe.ts';
