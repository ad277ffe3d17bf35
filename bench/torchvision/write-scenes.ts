// Writes digit scenes (bench/torchvision/scenes.ts) as .npy for train.py, so Python trains on the very scenes the bench renders.
// Usage: node --import tsx bench/torchvision/write-scenes.ts OUT_DIR TRAIN_COUNT TEST_COUNT
// Writes OUT_DIR/{train,test}_{x,y}.npy: x uint8 [n, 3, 64, 64] (train from mnist train #0, test from mnist test #0), y uint8 [n].
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { renderScenes, SCENE_SIZE } from './scenes.ts';

const [out, trainCount, testCount] = process.argv.slice(2);
if (!out || !(Number(trainCount) > 0) || !(Number(testCount) > 0)) {
  console.error('usage: node --import tsx bench/torchvision/write-scenes.ts OUT_DIR TRAIN_COUNT TEST_COUNT');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
for (const [split, count] of [['train', Number(trainCount)], ['test', Number(testCount)]] as const) {
  const { pixels, labels } = renderScenes(split, 0, count);
  writeFileSync(join(out, `${split}_x.npy`), encodeNpy({ dtype: 'uint8', dims: [count, 3, SCENE_SIZE, SCENE_SIZE], data: pixels }));
  writeFileSync(join(out, `${split}_y.npy`), encodeNpy({ dtype: 'uint8', dims: [count], data: labels }));
}
