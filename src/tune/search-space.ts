/**
 * What `alpha15 tune` may vary, and how: a search space maps dotted config paths (the same paths
 * `loadConfig` overrides take) to typed ranges. Loaded from a JSON file and validated with zod, or the
 * built-in default: a neighbourhood of the base config (half to twice its sizes), so the same default
 * is sensible for the production model and for a tiny one on a 2-core machine.
 *
 *   { "model.filters": { "type": "int", "low": 8, "high": 64, "step": 8 },
 *     "training.learningRate": { "type": "log-float", "low": 1e-4, "high": 1e-2 },
 *     "model.timeChannels": { "type": "choice", "values": [false, true] } }
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { configSchema, type Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import type { TUNABLE_HYPERPARAMETERS } from '../contracts/sagemaker.js';

export class InvalidSearchSpaceError extends Alpha15Error {
  readonly code = 'INVALID_SEARCH_SPACE';
}

/** The config paths a search may vary, and whether each takes whole numbers, any number or a boolean. */
export const TUNABLE_PARAMETERS = {
  windowMinutes: 'int',
  'model.filters': 'int',
  'model.blocks': 'int',
  'model.kernelSize': 'int',
  'model.timeChannels': 'boolean',
  'training.learningRate': 'number',
  'training.batchSize': 'int',
  'training.sampleStrideMinutes': 'int',
  // every path a SageMaker tuning job can carry, and no other
} as const satisfies Record<keyof typeof TUNABLE_HYPERPARAMETERS, 'int' | 'number' | 'boolean'>;
export type TunableParameter = keyof typeof TUNABLE_PARAMETERS;

const finite = z.number().finite();
const rangeSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('int'),
      low: z.number().int(),
      high: z.number().int(),
      step: z.number().int().positive().default(1),
    })
    .strict(),
  z.object({ type: z.literal('float'), low: finite, high: finite }).strict(),
  z.object({ type: z.literal('log-float'), low: finite.positive(), high: finite.positive() }).strict(),
  z
    .object({ type: z.literal('choice'), values: z.array(z.union([finite, z.string(), z.boolean()])).min(1) })
    .strict(),
]);
export type ParameterRange = z.infer<typeof rangeSchema>;
export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

const parameterName = z.enum(Object.keys(TUNABLE_PARAMETERS) as [TunableParameter, ...TunableParameter[]]);
export const searchSpaceSchema = z
  .partialRecord(parameterName, rangeSchema)
  .refine((space) => Object.keys(space).length > 0, 'a search space needs at least one parameter');
export type SearchSpace = Partial<Record<TunableParameter, ParameterRange>>;

/** Checks a parsed space against the config: ranges ordered, value types right, every extreme a valid config. */
export function validateSearchSpace(raw: unknown, base: Config, source: string): SearchSpace {
  const parsed = searchSpaceSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidSearchSpaceError(
      `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      `parameters: ${Object.keys(TUNABLE_PARAMETERS).join(', ')}; types: int, float, log-float, choice`,
    );
  }
  const space = parsed.data as SearchSpace;
  for (const [name, range] of Object.entries(space) as [TunableParameter, ParameterRange][]) {
    const kind = TUNABLE_PARAMETERS[name];
    const extremes = range.type === 'choice' ? range.values : [range.low, range.high];
    if (range.type !== 'choice' && range.low > range.high)
      throw new InvalidSearchSpaceError(`${source}: ${name}: low ${range.low} is above high ${range.high}`);
    if (kind === 'boolean' && range.type !== 'choice')
      throw new InvalidSearchSpaceError(
        `${source}: ${name} is on or off: use {"type": "choice", "values": [false, true]}`,
      );
    if (kind === 'int' && (range.type === 'float' || range.type === 'log-float'))
      throw new InvalidSearchSpaceError(`${source}: ${name} takes whole numbers: use "int" or "choice"`);
    for (const value of extremes) {
      const applied = configSchema.safeParse(applyParams(base, { [name]: value }));
      if (!applied.success) {
        throw new InvalidSearchSpaceError(
          `${source}: ${name} = ${JSON.stringify(value)} is not a valid config value: ${applied.error.issues[0]!.message}`,
        );
      }
    }
  }
  return space;
}

export async function loadSearchSpace(file: string, base: Config): Promise<SearchSpace> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InvalidSearchSpaceError(
      `cannot read the search space ${file}: ${(error as Error).message}`,
      'pass a JSON file such as {"training.learningRate": {"type": "log-float", "low": 1e-4, "high": 1e-2}}',
    );
  }
  return validateSearchSpace(raw, base, file);
}

/** Half to twice the base config's sizes, three kernel sizes, a decade of learning rate either side. */
export function defaultSearchSpace(base: Config): SearchSpace {
  const { model, training, windowMinutes } = base;
  const halfToDouble = (value: number, floor: number) => ({
    type: 'int' as const,
    low: Math.max(floor, Math.floor(value / 2)),
    high: value * 2,
    step: 1,
  });
  return {
    windowMinutes: halfToDouble(windowMinutes, 16),
    'model.filters': halfToDouble(model.filters, 2),
    'model.blocks': { type: 'int', low: Math.max(1, model.blocks - 1), high: model.blocks + 1, step: 1 },
    'model.kernelSize': { type: 'choice', values: [3, 5, 7] },
    'model.timeChannels': { type: 'choice', values: [false, true] },
    'training.learningRate': {
      type: 'log-float',
      low: training.learningRate / 10,
      high: Math.min(0.1, training.learningRate * 10),
    },
    'training.batchSize': {
      type: 'choice',
      values: [training.batchSize / 2, training.batchSize, training.batchSize * 2].filter(Number.isInteger),
    },
    'training.sampleStrideMinutes': {
      type: 'choice',
      values: [training.sampleStrideMinutes, training.sampleStrideMinutes * 2],
    },
  };
}

/** The base config's own values for the space's parameters: the baseline trial. */
export function baseParams(space: SearchSpace, base: Config): Params {
  return Object.fromEntries(Object.keys(space).map((name) => [name, readPath(base, name)]));
}

/** The config with the params set at their dotted paths (validated by the caller's configSchema.parse). */
export function applyParams(base: Config, params: Params): Config {
  const config = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(params)) {
    const path = name.split('.');
    let node = config;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[path.at(-1)!] = value;
  }
  return config as unknown as Config;
}

function readPath(config: Config, name: string): ParamValue {
  let node: unknown = config;
  for (const key of name.split('.')) node = (node as Record<string, unknown>)[key];
  return node as ParamValue;
}

/** The largest window any trial can use: the test period's embargo must cover it. */
export function maxWindowMinutes(space: SearchSpace, base: Config): number {
  const range = space.windowMinutes;
  if (range === undefined) return base.windowMinutes;
  return range.type === 'choice' ? Math.max(...range.values.map(Number)) : range.high;
}
