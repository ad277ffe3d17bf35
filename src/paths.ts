// Locations inside the installed package: its root and the embedded default model.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root folder of the ondevice package. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The embedded default model: LeNet-5 trained on MNIST (see models/lenet5/README.md). */
export const DEFAULT_MODEL = {
  name: 'lenet5',
  path: join(PACKAGE_ROOT, 'models', 'lenet5', 'lenet5.onnx'),
  preprocess: join(PACKAGE_ROOT, 'models', 'lenet5', 'preprocess.json'),
  labels: join(PACKAGE_ROOT, 'models', 'lenet5', 'labels.txt'),
} as const;
