// findRecipe: the one lookup quantize, compile and evaluate share (explicit, MODEL.preprocess.json, preprocess.json beside).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRecipe, recipeCandidates } from '../../src/data/recipe.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';

test('findRecipe prefers the explicit path, then MODEL.preprocess.json, then preprocess.json beside the model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-find-recipe-'));
  try {
    const model = join(dir, 'net.onnx');
    assert.deepEqual(recipeCandidates(model), [join(dir, 'net.preprocess.json'), join(dir, 'preprocess.json')]);
    assert.equal(findRecipe(model), undefined);
    assert.equal(findRecipe(model, '/elsewhere/r.json'), '/elsewhere/r.json');
    writeFileSync(join(dir, 'preprocess.json'), '{}');
    assert.equal(findRecipe(model), join(dir, 'preprocess.json'));
    writeFileSync(join(dir, 'net.preprocess.json'), '{}');
    assert.equal(findRecipe(model), join(dir, 'net.preprocess.json'));
    assert.equal(findRecipe(model, '/elsewhere/r.json'), '/elsewhere/r.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(findRecipe(DEFAULT_MODEL.path), DEFAULT_MODEL.preprocess, 'the embedded LeNet-5 has preprocess.json beside it');
});
