/** The `alpha15` command line: parses argv, runs one command, maps errors to exit codes. */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { formatBackend, onBackendActivated } from '../model/backend.js';
import { log, reportError } from './output.js';
import { isUsageError, usageErrorFrom } from './usage-error.js';

const json = process.argv.includes('--json');
// `alpha15 ... --help | head` closes the pipe early: that is the reader's choice, not a failure
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const program = new Command('alpha15')
  .description('Can a small ML stack find tradable alpha in 15-minute crypto returns?')
  // a usage error is reported below like every other error (JSON under --json), with the nearest
  // flag and a pointer to --help; set before the commands are added, since each inherits its
  // parent's output settings when created
  .configureOutput({ outputError: () => undefined })
  .exitOverride();

for (const register of COMMANDS) register(program);
onBackendActivated((info) => log(`alpha15: TensorFlow.js backend ${formatBackend(info)}`));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    if (!isUsageError(error.code)) process.exitCode = 0;
    // a wrong command line is understood: exit 1, like every error of ours
    else process.exitCode = reportError(usageErrorFrom(error, program, process.argv), json);
  } else {
    process.exitCode = reportError(error, json);
  }
}
