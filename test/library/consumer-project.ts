// Test helper: a throwaway project outside the repo whose node_modules/ondevice links to this package, as an installed dependency would.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';

/** A consumer project: its folder and a way to remove it. */
export interface ConsumerProject {
  dir: string;
  write(file: string, text: string): string;
  remove(): void;
}

/** Creates the project: package.json (ESM), node_modules/ondevice → the repo, node_modules/@types/node → the repo's copy. */
export function makeConsumerProject(): ConsumerProject {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-consumer-'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(PACKAGE_ROOT, join(dir, 'node_modules', 'ondevice'), 'dir');
  symlinkSync(join(PACKAGE_ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  return {
    dir,
    write(file, text) {
      writeFileSync(join(dir, file), text);
      return join(dir, file);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
