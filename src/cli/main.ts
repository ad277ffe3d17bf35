// The `ondevice` command line: parses arguments and hands each command to the library.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';
import { EXIT, helpHint, reportError, setVerbose } from './action.ts';
import { removeTempFilesOnSignals } from '../util/temp-paths.ts';
import { registerInspect } from './inspect.ts';
import { registerDemo } from './demo.ts';
import { registerDeploy } from './deploy.ts';
import { registerServe } from './serve.ts';
import { registerEvaluate } from './evaluate.ts';
import { registerProfile } from './profile.ts';
import { registerQuantize } from './quantize.ts';
import { registerCompile } from './compile.ts';
import { registerHub } from './hub.ts';
import { registerJobs } from './jobs.ts';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string; description: string };

const program = new Command('ondevice')
  .description(pkg.description)
  .version(pkg.version)
  .option('--verbose', 'print stack traces on errors')
  .addHelpText('after', '\nExit codes: 0 done, 1 error, 2 usage error, 3 a check failed (evaluate verdict, mixed-precision target), 130/143 interrupted.')
  .hook('preAction', (cmd) => setVerbose(Boolean(cmd.opts().verbose)))
  // Commander's own messages become one line with a pointer to the command's help (printed in the catch below).
  .configureOutput({ outputError: () => {} })
  .exitOverride();

for (const register of [registerDemo, registerInspect, registerCompile, registerQuantize, registerEvaluate, registerProfile, registerDeploy, registerServe, registerHub, registerJobs]) register(program);

removeTempFilesOnSignals();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and --version end with exit code 0; every other commander error is a usage error.
    if (e.exitCode !== 0 && e.code !== 'commander.helpDisplayed' && e.code !== 'commander.version') {
      if (e.code === 'commander.help') process.stderr.write(program.helpInformation());
      else process.stderr.write(`ondevice: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}${helpHint()}\n`);
      process.exitCode = EXIT.usage;
    }
  } else {
    // Option parsers (options.ts) throw UsageErrors while commander parses: one line, exit 2, like action failures.
    process.exitCode = reportError(e);
  }
}
