/**
 * A wrong command line is a user's mistake the CLI understands: exit 1 and, under --json, the same
 * error document as every other failure, nothing else on stdout. Each case runs the real CLI.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

const cli = (args: string[]) => runCli(args);

async function jsonUsageError(args: string[]) {
  const result = await cli([...args, '--json']);
  assert.equal(result.code, 1, result.stderr);
  const document = JSON.parse(result.stdout) as {
    error: { code: string; message: string; hint: string; data: Record<string, unknown> };
  };
  assert.equal(document.error.code, 'USAGE');
  return document.error;
}

describe('usage errors', () => {
  it('a misspelt flag is named with the nearest real one, even when a required flag is also missing', async () => {
    const error = await jsonUsageError(['ingest', '--sorce', 'archive:x']);
    assert.equal(error.data.option, '--sorce');
    assert.equal(error.data.suggestion, '--source');
    assert.match(error.message, /did you mean --source\?/);
    assert.match(error.hint, /alpha15 ingest --help/);
  });

  it('a value a flag refuses names the flag', async () => {
    const error = await jsonUsageError(['train', '--epochs', 'abc']);
    assert.equal(error.data.reason, 'invalidArgument');
    assert.equal(error.data.option, '--epochs');
  });

  it('a missing required flag and an unknown command are JSON too', async () => {
    assert.equal((await jsonUsageError(['ingest'])).data.reason, 'missingMandatoryOptionValue');
    const unknown = await jsonUsageError(['data', 'verfy']);
    assert.equal(unknown.data.reason, 'unknownCommand');
    assert.match(unknown.message, /verify/);
  });

  it('without --json a usage error is a message and a hint on stderr, exit 1, nothing on stdout', async () => {
    const result = await cli(['backtest', '--bogus']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /error: unknown option '--bogus'\nhint: run alpha15 backtest --help/);
  });

  it("backtest and paper refuse --symbols with the reason: they trade the model's own coins", async () => {
    for (const command of ['backtest', 'paper']) {
      const error = await jsonUsageError([
        command,
        '--symbols',
        'BTCUSDT',
        '--store',
        'file:///nonexistent-alpha15',
      ]);
      assert.equal(error.data.reason, 'symbols-from-model');
      assert.match(error.message, /model's own symbols/);
    }
    const help = await cli(['backtest', '--help']);
    assert.doesNotMatch(help.stdout, /--symbols/);
  });

  it('help asked for is no error', async () => {
    const result = await cli(['train', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: alpha15 train/);
  });
});
