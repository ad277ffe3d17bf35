// The `ondevice` command line: parses arguments and hands each command to the library.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';
import { reportError, setVerbose } from './action.ts';
import { registerInspect } from './inspect.ts';
import { registerDemo } from './demo.ts';
import { registerDeploy } from './deploy.ts';
import { registerServe } from './serve.ts';
import { registerEvaluate } from './evaluate.ts';
import { registerProfile } from './profile.ts';
import { registerQuantize } from './quantize.ts';
import { registerCompile } from './compile.ts';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string; description: string };

const program = new Command('ondevice')
  .description(pkg.description)
  .version(pkg.version)
  .option('--verbose', 'print stack traces on errors')
  .showHelpAfterError()
  .hook('preAction', (cmd) => setVerbose(Boolean(cmd.opts().verbose)));

for (const register of [registerDemo, registerInspect, registerCompile, registerQuantize, registerEvaluate, registerProfile, registerDeploy, registerServe]) register(program);

program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Option parsers (options.ts) throw UsageErrors while commander parses: one line, exit 2, like action failures.
  process.exitCode = reportError(e);
}
