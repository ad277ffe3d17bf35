// Test helper: makes sure dist/ (the built library that `prepare` leaves after npm install) exists and is not older than src/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const ENTRY = join(PACKAGE_ROOT, 'dist', 'index.js');

function newest(dir: string): { file: string; mtimeMs: number } {
  let best = { file: dir, mtimeMs: 0 };
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    const cand = s.isDirectory() ? newest(p) : { file: p, mtimeMs: s.mtimeMs };
    if (cand.mtimeMs > best.mtimeMs) best = cand;
  }
  return best;
}

/** Why dist/ must be (re)built, or undefined when it is current. */
function staleReason(): string | undefined {
  if (!existsSync(ENTRY) || !existsSync(join(PACKAGE_ROOT, 'dist', 'index.d.ts'))) {
    return 'dist/ is missing (npm install / npm ci build it through the `prepare` script)';
  }
  const src = newest(join(PACKAGE_ROOT, 'src'));
  if (src.mtimeMs > statSync(ENTRY).mtimeMs) return `dist/ is older than ${relative(PACKAGE_ROOT, src.file)}`;
  return undefined;
}

/** Builds dist/ once (`npm run build`) when it is missing or stale; throws with tsc's output if the build fails. */
export function ensureDist(): void {
  const why = staleReason();
  if (!why) return;
  process.stderr.write(`${why}: building it once now with scripts/build.mjs (npm run build)\n`);
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'build.mjs')], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}
