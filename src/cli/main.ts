/** The `alpha15` command line: parses argv, runs one command, maps errors to exit codes. */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { formatBackend, onBackendActivated } from '../model/backend.js';
import { log, reportError } from './output.js';

const program = new Command('alpha15')
  .description('Can a small ML stack find tradable alpha in 15-minute crypto returns?')
  .showHelpAfterError()
  .exitOverride();

for (const register of COMMANDS) register(program);
onBackendActivated((info) => log(`alpha15: TensorFlow.js backend ${formatBackend(info)}`));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const commanderCode = (error as { code?: string }).code;
  if (commanderCode?.startsWith('commander.')) {
    // help and version are successful exits; usage errors were already printed by commander
    process.exitCode =
      commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' ? 0 : 2;
  } else {
    process.exitCode = reportError(error, process.argv.includes('--json'));
  }
}
