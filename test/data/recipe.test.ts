// Recipes: the embedded LeNet-5 recipe file parses, saving round-trips atomically, bad recipes name the file and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LENET5_RECIPE } from '../../src/data/mnist.ts';
import { loadRecipe, parseRecipe, recipeExampleDims, recipePathFor, saveRecipe } from '../../src/data/recipe.ts';
import { UsageError } from '../../src/errors.ts';

const lenetRecipe = fileURLToPath(new URL('../../models/lenet5/preprocess.json', import.meta.url));

test('models/lenet5/preprocess.json loads as a GRAY 28×28 NCHW recipe with LeNet-5 normalisation', () => {
  const r = loadRecipe(lenetRecipe);
  assert.equal(r.input, 'input');
  assert.equal(r.channels, 'GRAY');
  assert.deepEqual(r.size, [28, 28]);
  assert.deepEqual(recipeExampleDims(r), [1, 28, 28]);
  assert.deepEqual([r.scale, r.mean, r.std, r.layout], [LENET5_RECIPE.scale, LENET5_RECIPE.mean, LENET5_RECIPE.std, LENET5_RECIPE.layout]);
});

test('saveRecipe writes through a temp file and loadRecipe reads the same recipe back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-recipe-'));
  try {
    const recipe = parseRecipe({ input: 'pixels', layout: 'NHWC', size: [224, 224], resize: 'shorter-side-then-center-crop', shorterSide: 256, channels: 'BGR', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    const path = recipePathFor(join(dir, 'net-int8.onnx'));
    assert.equal(path, join(dir, 'net-int8.preprocess.json'));
    saveRecipe(recipe, path);
    assert.deepEqual(readdirSync(dir), ['net-int8.preprocess.json']);
    assert.deepEqual(loadRecipe(path), recipe);
    assert.deepEqual(recipeExampleDims(recipe), [224, 224, 3]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad recipes give one UsageError naming the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-recipe-'));
  try {
    const cases: [string, string, RegExp][] = [
      ['notjson.json', '{ input: ', /not valid JSON/],
      ['typo.json', JSON.stringify({ input: 'x', size: [2, 2], mena: [0] }), /unknown field 'mena'/],
      ['layout.json', JSON.stringify({ input: 'x', size: [2, 2], layout: 'CHW' }), /'layout' must be one of NCHW, NHWC/],
      ['size.json', JSON.stringify({ input: 'x', size: [0, 2] }), /'size' must be \[height, width\]/],
      ['mean.json', JSON.stringify({ input: 'x', size: [2, 2], mean: [1, 2] }), /'mean' needs 1 or 3 values/],
      ['std.json', JSON.stringify({ input: 'x', size: [2, 2], std: [0] }), /'std' values must be non-zero/],
      ['noinput.json', JSON.stringify({ size: [2, 2] }), /'input' must name the model input/],
    ];
    for (const [name, text, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      assert.throws(() => loadRecipe(path), (e: unknown) => e instanceof UsageError && e.file === path && message.test(e.message), name);
    }
    assert.throws(() => loadRecipe(join(dir, 'missing.json')), (e: unknown) => e instanceof UsageError && /cannot read/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
