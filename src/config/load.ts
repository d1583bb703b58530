/**
 * Resolves the configuration from, in rising precedence: defaults, a JSON file, ALPHA15_* environment
 * variables, and command-line flags. The result is validated once; an invalid value is reported with
 * the path of the field that holds it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Alpha15Error {}

export const DEFAULT_CONFIG_FILE = 'alpha15.config.json';

type Overrides = Record<string, unknown>;

/** Environment variables that map onto config fields; nested fields use `__` (ALPHA15_TRAINING__EPOCHS). */
const ENV_PREFIX = 'ALPHA15_';

/** Well-known variables that other tools already use. */
const ENV_ALIASES: Record<string, string> = {
  BINANCE_BASE_URL: 'binanceBaseUrl',
};

export interface LoadConfigOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Dotted paths to values, e.g. {"training.epochs": 3, "store": "file://x"}. */
  flags?: Overrides;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const merged: Overrides = {};
  const file =
    options.file ??
    env[`${ENV_PREFIX}CONFIG`] ??
    (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file) deepMerge(merged, readConfigFile(file));
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    const path = ENV_ALIASES[name] ?? envNameToPath(name);
    if (path) setPath(merged, path, parseScalar(raw));
  }
  for (const [path, value] of Object.entries(options.flags ?? {})) {
    if (value !== undefined) setPath(merged, path, value);
  }
  return parseConfig(merged, file ? `config file ${file}, environment and flags` : 'environment and flags');
}

export function parseConfig(input: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || '(root)';
    throw new ConfigError(
      `invalid config field "${field}": ${issue.message} (from ${source})`,
      `fix "${field}"; run with --help to see the options`,
    );
  }
  return result.data;
}

function readConfigFile(file: string): Overrides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}`, 'check the path given to --config', {
      cause: error,
    });
  }
  const parsed = z.record(z.string(), z.unknown()).safeParse(safeJson(text, file));
  if (!parsed.success) throw new ConfigError(`config file ${file} must hold a JSON object`);
  return parsed.data;
}

function safeJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON`, undefined, { cause: error });
  }
}

function envNameToPath(name: string): string | undefined {
  if (!name.startsWith(ENV_PREFIX) || name === `${ENV_PREFIX}CONFIG`) return undefined;
  return name
    .slice(ENV_PREFIX.length)
    .split('__')
    .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
    .join('.');
}

/** Environment values are strings; numbers, booleans and JSON arrays are recognised so the schema sees types. */
function parseScalar(raw: string): unknown {
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw.startsWith('[')) return safeJson(raw, 'environment');
  if (/^[A-Z0-9]+(,[A-Z0-9]+)+$/.test(raw)) return raw.split(',');
  return raw;
}

function setPath(target: Overrides, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Overrides;
  }
  node[keys.at(-1)!] = value;
}

function deepMerge(target: Overrides, source: Overrides): void {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof target[key] === 'object') {
      deepMerge(target[key] as Overrides, value as Overrides);
    } else {
      target[key] = value;
    }
  }
}
