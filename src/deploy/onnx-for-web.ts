// The web app runs ONNX: a TF.js model.json is compiled to a temp .onnx first, shaped and laid out as its recipe feeds it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { compileFile } from '../compile/compile.ts';
import { recipeChannels, type Recipe } from '../data/recipe.ts';
import { detectFormat } from '../formats/registry.ts';
import { trackTemp } from '../util/temp-paths.ts';

/** The .onnx the site holds, and how to remove it when it is a temp file. */
export interface WebModel {
  path: string;
  /** Site name of the model (a model.json is named after its folder). */
  name: string;
  dispose(): void;
}

/**
 * `model` itself when it is ONNX; otherwise compiled to ONNX (`compile --target onnx`) in a temp folder: a .tflite as it is
 * (NHWC I/O kept), a TF.js model.json with the recipe's input fixed to one example of the recipe's size (in the model.json's
 * NHWC layout) and NCHW I/O when the recipe feeds NCHW.
 */
export async function onnxForWeb(model: string, recipe?: Recipe): Promise<WebModel> {
  const format = (await detectFormat(model)).name;
  if (format === 'onnx') return { path: model, name: basename(model).replace(/\.[^.]*$/, ''), dispose() {} };
  const name = basename(model) === 'model.json' ? basename(dirname(model)) : basename(model).replace(/\.[^.]*$/, '');
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-web-model-'));
  const untrack = trackTemp(dir);
  const dispose = () => {
    rmSync(dir, { recursive: true, force: true });
    untrack();
  };
  const path = join(dir, `${name}.onnx`);
  try {
    if (format === 'tfjs' && recipe) {
      const [h, w] = recipe.size;
      await compileFile(model, path, { target: 'onnx', inputShapes: { [recipe.input]: [1, h, w, recipeChannels(recipe)] }, nchwIo: recipe.layout === 'NCHW' });
    } else {
      await compileFile(model, path, { target: 'onnx' });
    }
  } catch (e) {
    dispose();
    throw e;
  }
  return { path, name, dispose };
}
