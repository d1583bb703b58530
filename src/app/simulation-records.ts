/**
 * What a simulation keeps in the store, under `simulations/<id>/`:
 *
 *   spec.json              what was asked (range, schedule, lookback, model and strategy config)
 *   periods/<NNNN>.json    one finished period each, written last: the commit point of resumption
 *   models/...             the simulation's own registry (models, champion pointer), see SandboxStore
 *   simulation.html|json   the report and the summary
 *
 * Every record read back is validated: a store can hold anything, including a half-migrated file.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { parseJsonAs } from '../json.js';
import { configHash } from '../runs/run-record.js';
import { strategyParamsSchema } from '../strategy/params.js';
import type { ObjectStore } from '../store/object-store.js';

export const SIMULATIONS_PREFIX = 'simulations/';
export const SIMULATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A stored simulation record that does not parse. */
export class CorruptSimulationRecordError extends Alpha15Error {
  readonly code = 'CORRUPT_SIMULATION_RECORD';
}

/** The id names a simulation that was started with other settings. */
export class SimulationSpecMismatchError extends Alpha15Error {
  readonly code = 'SIMULATION_SPEC_MISMATCH';
}

/** A simulation id that is not a plain name (it becomes part of object keys). */
export class SimulationIdError extends Alpha15Error {
  readonly code = 'SIMULATION_ID';
}

export const simulationSpecSchema = z.object({
  symbols: z.array(z.string()).min(1),
  fromMs: z.number().int(),
  toMs: z.number().int(),
  initialTrainingMinutes: z.number().int().positive(),
  retrainEveryMinutes: z.number().int().positive(),
  lookbackMinutes: z.number().int().positive(),
  /** Fine-tune the champion on the data since its own end instead of training from scratch. */
  fineTune: z.boolean(),
  windowMinutes: z.number().int(),
  horizonMinutes: z.number().int(),
  /** Every other config section that can change a result (model, training, strategy, and any added later). */
  config: z.record(z.string(), z.unknown()),
});
export type SimulationSpec = z.infer<typeof simulationSpecSchema>;

/** Config fields the spec holds on its own (symbols, window, horizon), or that say where data lives, not what is computed. */
const PLACE_FIELDS = [
  'symbols',
  'windowMinutes',
  'horizonMinutes',
  'store',
  'binanceBaseUrl',
  'binanceArchiveBaseUrl',
  'requestTimeoutMs',
  'paper',
  'telemetry',
] as const;

export function simulationSpec(
  config: Config,
  range: Pick<
    SimulationSpec,
    'fromMs' | 'toMs' | 'initialTrainingMinutes' | 'retrainEveryMinutes' | 'lookbackMinutes' | 'fineTune'
  >,
): SimulationSpec {
  const computing: Record<string, unknown> = { ...config };
  for (const field of PLACE_FIELDS) delete computing[field];
  return {
    symbols: [...config.symbols],
    ...range,
    windowMinutes: config.windowMinutes,
    horizonMinutes: config.horizonMinutes,
    config: computing,
  };
}

/** The same settings always name the same simulation, so re-running a stopped command resumes it. */
export function defaultSimulationId(spec: SimulationSpec): string {
  return `sim-${configHash(spec).slice(0, 12)}`;
}

/** Float32 values as base64 of their bytes: NaN survives, and a week of 20 coins stays small. */
const float32Base64 = z.string().transform((text, context): Float32Array => {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % 4 !== 0) {
    context.addIssue({ code: 'custom', message: 'not a whole number of float32 values' });
    return z.NEVER;
  }
  return new Float32Array(Uint8Array.from(bytes).buffer);
});

export function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

const nullableNumber = z.number().nullable();

export const periodRecordSchema = z.object({
  index: z.number().int().nonnegative(),
  fromMs: z.number().int(),
  toMs: z.number().int(),
  /** The model trained at `fromMs`, and the champion after the promotion gate: the model that trades. */
  candidateId: z.string(),
  championId: z.string(),
  promoted: z.boolean(),
  promotion: z.object({ reason: z.string(), detail: z.string() }),
  /** The champion's IC on the latest validation window (the candidate's), the gate's evidence. */
  valIc: nullableNumber,
  /**
   * Both sides of the gate on that window: the new candidate's IC and the champion's before the gate
   * (null when there was none). Absent from records written before it was kept.
   */
  gate: z
    .object({ candidateIc: nullableNumber, previousChampionIc: nullableNumber })
    .nullable()
    .default(null),
  /** The champion's thresholds; null when it has none and so does not trade. */
  strategy: strategyParamsSchema.nullable(),
  /** The ridge baseline refitted at `fromMs` on the same lookback, and its thresholds. */
  ridgeStrategy: strategyParamsSchema.nullable(),
  /** [minute][coin] over [fromMs, toMs): the champion's and the ridge's raw predictions. */
  predictions: float32Base64,
  ridgePredictions: float32Base64,
  trainingSeconds: z.number().nonnegative(),
  seconds: z.number().nonnegative(),
});
export type PeriodRecord = z.infer<typeof periodRecordSchema>;

export function simulationKey(simulationId: string, file: string): string {
  return `${SIMULATIONS_PREFIX}${simulationId}/${file}`;
}

export function periodKey(simulationId: string, index: number): string {
  return simulationKey(simulationId, `periods/${String(index).padStart(4, '0')}.json`);
}

export async function writePeriod(
  store: ObjectStore,
  simulationId: string,
  record: PeriodRecord,
): Promise<void> {
  await store.put(
    periodKey(simulationId, record.index),
    JSON.stringify({
      ...record,
      predictions: encodeFloat32(record.predictions),
      ridgePredictions: encodeFloat32(record.ridgePredictions),
    }),
  );
}

/** The finished periods, in order; stops at the first gap (later ones cannot be trusted without it). */
export async function readPeriods(store: ObjectStore, simulationId: string): Promise<PeriodRecord[]> {
  const records: PeriodRecord[] = [];
  for (let index = 0; ; index++) {
    const key = periodKey(simulationId, index);
    const bytes = await store.get(key);
    if (bytes === undefined) return records;
    records.push(parseRecord(key, bytes, periodRecordSchema));
  }
}

/** Writes the spec of a new simulation, or checks that an existing one asked for the same. */
export async function claimSimulation(
  store: ObjectStore,
  simulationId: string,
  spec: SimulationSpec,
): Promise<void> {
  const key = simulationKey(simulationId, 'spec.json');
  if (await store.putIfAbsent(key, JSON.stringify(spec, null, 2))) return;
  const stored = parseRecord(key, (await store.get(key))!, simulationSpecSchema);
  if (configHash(stored) !== configHash(spec)) {
    throw new SimulationSpecMismatchError(
      `simulation ${simulationId} was started with other settings (${key})`,
      'run it with the same options and config to continue it, or choose another simulation id',
    );
  }
}

function parseRecord<Schema extends z.ZodType>(
  key: string,
  bytes: Uint8Array,
  schema: Schema,
): z.infer<Schema> {
  return parseJsonAs(
    bytes,
    schema,
    (problem, cause) =>
      new CorruptSimulationRecordError(`${key} ${problem}`, 'delete it to redo that part of the simulation', {
        cause,
      }),
  );
}
