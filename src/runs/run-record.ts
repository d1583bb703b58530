/**
 * One tracked run (a training, a tune trial, a simulation, a backtest) as the runs index stores it:
 * `runs/<id>.json`, one object per run, written once with putIfAbsent. No shared file is ever
 * rewritten, so any number of concurrent runs (local processes, SageMaker trials, Lambdas) can record
 * into the same store without losing each other's records. Ids start with the UTC start second, so the
 * store's sorted listing is the runs in the order they started.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sha256Hex } from '../checksum.js';
import { gpuAdapterSchema } from '../contracts/backends.js';
import { RUNS_PREFIX } from '../contracts/keys.js';

export const RUN_KINDS = ['train', 'tune-trial', 'simulate', 'backtest'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[a-z-]+-[0-9a-f]{8}$/;

/** Undefined metrics (NaN in memory) are null in JSON. */
const metric = z.preprocess((value) => (value === null ? Number.NaN : value), z.union([z.number(), z.nan()]));

/** One epoch of one fold: the learning curve's point. Means over coins. */
export const runEpochSchema = z.object({
  fold: z.number().int().nonnegative(),
  epoch: z.number().int().positive(),
  trainLoss: metric,
  valLoss: metric,
  ic: metric,
  rankIc: metric,
  hitRate: metric,
  learningRate: z.number().nonnegative(),
});
export type RunEpoch = z.infer<typeof runEpochSchema>;

export const runRecordSchema = z.object({
  formatVersion: z.literal(1),
  id: z.string().regex(RUN_ID_PATTERN, 'a run id like 20260224T120000Z-train-1a2b3c4d'),
  kind: z.enum(RUN_KINDS),
  /** The tune study this run is a trial of, or null. */
  study: z.string().nullable(),
  status: z.enum(['completed', 'pruned', 'aborted']),
  /** The resolved config the run used, and the sha256 of its canonical JSON (equal configs, equal hash). */
  config: z.record(z.string(), z.unknown()),
  configHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Tune trials: the sampled hyperparameters (dotted config paths). */
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  /** [fromMs, toMs) of the candles the run read. */
  data: z.object({ fromMs: z.number().int(), toMs: z.number().int() }).nullable(),
  gitRevision: z.string().nullable(),
  backend: z.string().nullable(),
  /** The GPU adapter a WebGPU run computed on (absent for other backends and older records). */
  adapter: gpuAdapterSchema.optional(),
  /** The model the run trained or evaluated, if any. */
  modelId: z.string().nullable(),
  startedAtMs: z.number().int(),
  durationMs: z.number().nonnegative(),
  epochs: z.array(runEpochSchema),
  /** Headline numbers (validation IC, test IC, Sharpe, ...): what `runs compare` lines up. */
  final: z.record(z.string(), metric),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export function newRunId(kind: RunKind, startedAtMs: number): string {
  const stamp = new Date(startedAtMs).toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${stamp}Z-${kind}-${randomBytes(4).toString('hex')}`;
}

/** The ids of one kind of run as an IAM key-glob prefix (a role may then write only its own kind's records). */
export function runIdIamPrefix(kind: RunKind): string {
  return `????????T??????Z-${kind}-`;
}

export function runKey(runId: string): string {
  return `${RUNS_PREFIX}${runId}.json`;
}

/** The run id a key names (`runs/<id>.json`), or undefined when the key is not a run record's. */
export function runIdOfKey(key: string): string | undefined {
  if (!key.startsWith(RUNS_PREFIX) || !key.endsWith('.json')) return undefined;
  const runId = key.slice(RUNS_PREFIX.length, -'.json'.length);
  return RUN_ID_PATTERN.test(runId) ? runId : undefined;
}

/** JSON with object keys sorted at every level, so equal values always serialise alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function configHash(config: unknown): string {
  return sha256Hex(new TextEncoder().encode(canonicalJson(config)));
}

/** The learning-curve points of training epoch records (per-coin arrays reduced to their means). */
export function runEpochs(
  records: readonly {
    fold: number;
    epoch: number;
    trainLoss: number;
    valLoss: number;
    meanIc: number;
    meanRankIc: number;
    meanHitRate: number;
    learningRate: number;
  }[],
): RunEpoch[] {
  return records.map((record) => ({
    fold: record.fold,
    epoch: record.epoch,
    trainLoss: record.trainLoss,
    valLoss: record.valLoss,
    ic: record.meanIc,
    rankIc: record.meanRankIc,
    hitRate: record.meanHitRate,
    learningRate: record.learningRate,
  }));
}

export { RUNS_PREFIX };
