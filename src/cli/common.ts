/** Options every command shares, and their mapping onto the typed config. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveUniverse } from '../app/universe.js';
import { loadConfig, loadConfigInput } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { composeAdapters } from '../app/compose.js';
import { parseTimeMs } from '../time.js';
import type { ObjectStore } from '../store/object-store.js';
import { log } from './output.js';
import { UsageError } from './usage-error.js';
import { STORE_ENV_VARIABLE } from '../contracts/environment.js';

export interface CommonOptions {
  json?: boolean;
  config?: string;
  store?: string;
  symbols?: string;
}

/**
 * Adds --json, --config, --store and --symbols to a command. A command that trades a model's own
 * coins (`symbols: 'model'`) keeps --symbols out of its help and refuses it with the reason, so the
 * flag is never accepted and then ignored.
 */
export function withCommonOptions(
  command: Command,
  { symbols = 'universe' }: { symbols?: 'universe' | 'model' } = {},
): Command {
  if (symbols === 'model')
    command.hook('preAction', (_command, action) => {
      if (action.opts().symbols !== undefined)
        throw new UsageError(
          `${action.name()} trades the model's own symbols (saved with it): --symbols cannot choose them`,
          'train a model on the symbols you want (alpha15 train --symbols ...) and pass --model <its id>',
          {
            data: { reason: 'symbols-from-model', command: `alpha15 ${action.name()}`, option: '--symbols' },
          },
        );
    });
  command
    .option('--json', 'print the result as one JSON document on stdout')
    .option('--config <file>', 'JSON config file (default: ./alpha15.config.json when present)')
    .addOption(
      new Option('--store <url>', 'object store: file://<dir> (or just <dir>) or s3://<bucket>/<prefix>')
        .env(STORE_ENV_VARIABLE)
        .argParser(storeUrlFromFlag),
    );
  return symbols === 'model'
    ? command.addOption(new Option('--symbols <list>').hideHelp())
    : command.option(
        '--symbols <list>',
        'comma-separated symbols, e.g. BTCUSDT,ETHUSDT (default: the config universe)',
      );
}

/** A folder given where a store URL goes is that folder's store: `./lake` is `file://./lake`. */
export function storeUrlFromFlag(value: string): string {
  // anything with a scheme, or a colon that may be a mistyped one, is left for the config to judge
  return value.includes(':') ? value : `file://${value}`;
}

/** Resolves the config for a command from its common options plus command-specific dotted overrides. */
export function resolveConfig(options: CommonOptions, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    file: options.config,
    flags: {
      store: options.store,
      symbols: options.symbols?.split(',').map((s) => s.trim().toUpperCase()),
      ...overrides,
    },
  });
}

/** True when --symbols, the config file or ALPHA15_SYMBOLS chose the universe (not the defaults). */
export function universeIsExplicit(options: CommonOptions): boolean {
  return 'symbols' in loadConfigInput({ file: options.config, flags: { symbols: options.symbols } }).input;
}

/**
 * The config of a command that works on the lake (train, tune, simulate), its universe settled by
 * resolveUniverse: saying on stderr when the lake's symbols stood in for a universe nobody set.
 */
export async function resolveLakeConfig(
  options: CommonOptions,
  overrides: Record<string, unknown> = {},
): Promise<{ config: Config; store: ObjectStore }> {
  const configured = resolveConfig(options, overrides);
  const { store } = composeAdapters(configured);
  const universe = await resolveUniverse(store, configured.symbols, universeIsExplicit(options));
  if (universe.fromLake)
    log(
      `alpha15: no universe set (--symbols, config file or ALPHA15_SYMBOLS): using the ${universe.symbols.length} ` +
        `symbols the lake holds: ${universe.symbols.join(',')}`,
    );
  return { config: { ...configured, symbols: universe.symbols }, store };
}

/** --from/--to as UTC epoch ms, each left out when the flag was not given. */
export function flagRange(flags: { from?: string; to?: string }): { fromMs?: number; toMs?: number } {
  return {
    fromMs: flags.from === undefined ? undefined : parseTimeMs(flags.from, '--from'),
    toMs: flags.to === undefined ? undefined : parseTimeMs(flags.to, '--to'),
  };
}

/** A commander parser for flags that take a positive whole number. */
export function positiveInteger(flag: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${flag} needs a positive whole number, got "${value}"`);
    return parsed;
  };
}

/** A commander parser for flags that take a positive number (fractions allowed, e.g. 0.5 days). */
export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${flag} needs a positive number, got "${value}"`);
    return parsed;
  };
}

/** A commander parser for --port: 0 (any free port) to 65535. */
export function portNumber(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new InvalidArgumentError('expected a port 0-65535');
  return value;
}
