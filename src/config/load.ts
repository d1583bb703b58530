/**
 * Resolves the configuration from, in rising precedence: defaults, a JSON file, ALPHA15_* environment
 * variables, and command-line flags. The result is validated once; an invalid value is reported with
 * the path of the field that holds it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { findUnknownKeys } from './unknown-keys.js';
import { CONFIG_FILE_ENV_VARIABLE, PROCESS_ENV_VARIABLES } from '../contracts/environment.js';

export class ConfigError extends Alpha15Error {
  readonly code = 'CONFIG';
}

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
  const { input, file } = loadConfigInput(options);
  return parseConfig(input, file ? `config file ${file}, environment and flags` : 'environment and flags');
}

/**
 * What the file, the environment and the flags set, before defaults: a field absent here was chosen
 * by nobody (the universe resolver, for one, treats such symbols as negotiable).
 */
export function loadConfigInput(options: LoadConfigOptions = {}): { input: Overrides; file?: string } {
  const env = options.env ?? process.env;
  const merged: Overrides = {};
  const file =
    options.file ??
    env[CONFIG_FILE_ENV_VARIABLE] ??
    (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file) deepMerge(merged, readConfigFile(file));
  deepMerge(merged, readEnvironment(env));
  for (const [path, value] of Object.entries(options.flags ?? {})) {
    if (value !== undefined) setPath(merged, path, value);
  }
  return { input: merged, file };
}

export function parseConfig(input: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || '(root)';
    throw new ConfigError(
      `invalid config field "${field}": ${issue.message} (from ${source})`,
      `fix "${field}"`,
      { data: { reason: 'invalid-field', field, source } },
    );
  }
  return result.data;
}

function readConfigFile(file: string): Overrides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}`, 'check the config file path', {
      data: { reason: 'unreadable', file },
      cause: error,
    });
  }
  const json = safeJson(text, `config file ${file}`);
  const parsed = z.record(z.string(), z.unknown()).safeParse(json);
  if (!parsed.success) throw new ConfigError(`config file ${file} must hold a JSON object`);
  // The keys as JSON.parse left them: a record copy turns an own `__proto__` key into a prototype.
  const [unknown, ...more] = findUnknownKeys(json, configSchema);
  if (unknown) {
    throw new ConfigError(
      `unknown config key "${unknown.path}" in ${file}` +
        (unknown.suggestion ? ` (did you mean "${unknown.suggestion}"?)` : '') +
        (more.length > 0 ? `; also unknown: ${more.map((key) => key.path).join(', ')}` : ''),
      unknown.suggestion
        ? `rename it to "${unknown.suggestion}"`
        : 'remove it; the fields and their defaults are in src/config/schema.ts',
    );
  }
  return parsed.data;
}

function safeJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid JSON${syntaxErrorPlace(text, error)}`, undefined, {
      cause: error,
    });
  }
}

/** ` at line L, column C: <parser message>` from V8's `... at position N` (1-based line and column). */
function syntaxErrorPlace(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  if (!position) return `: ${message}`;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
}

/**
 * The config the ALPHA15_* variables set. A name that is neither a config path nor a process setting
 * is refused like an unknown key in a file: a typo must not fall back to the default silently.
 */
function readEnvironment(env: NodeJS.ProcessEnv): Overrides {
  const fromEnv: Overrides = {};
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    const path = (Object.hasOwn(ENV_ALIASES, name) ? ENV_ALIASES[name] : undefined) ?? envNameToPath(name);
    if (path) setPath(fromEnv, path, parseScalar(raw));
  }
  const [unknown] = findUnknownKeys(fromEnv, configSchema);
  if (unknown) {
    const variable = pathToEnvName(unknown.path);
    const suggestion = unknown.suggestion === undefined ? undefined : pathToEnvName(unknown.suggestion);
    throw new ConfigError(
      `unknown environment variable ${variable}: no config field "${unknown.path}"` +
        (suggestion ? ` (did you mean ${suggestion}?)` : ''),
      suggestion ? `rename it to ${suggestion}` : `unset ${variable}; the fields are in src/config/schema.ts`,
      { data: { reason: 'unknown-variable', variable, field: unknown.path, suggestion } },
    );
  }
  return fromEnv;
}

function envNameToPath(name: string): string | undefined {
  if (!name.startsWith(ENV_PREFIX) || PROCESS_ENV_VARIABLES.has(name)) return undefined;
  return name
    .slice(ENV_PREFIX.length)
    .split('__')
    .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
    .join('.');
}

/** `training.epochz` as the variable that would set it, ALPHA15_TRAINING__EPOCHZ. */
function pathToEnvName(path: string): string {
  const name = path
    .split('.')
    .map((part) => part.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase())
    .join('__');
  return `${ENV_PREFIX}${name}`;
}

/** Environment values are strings; numbers, booleans and JSON arrays are recognised so the schema sees types. */
function parseScalar(raw: string): unknown {
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw.startsWith('[')) return safeJson(raw, 'an environment variable');
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
