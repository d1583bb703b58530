/**
 * The retrain use cases: ask for one (ingestion and backfill, once per run), and act on a cause (the
 * cloud's training trigger) with the rule of retrain-policy.ts. SageMaker stays behind the
 * `TrainingJobs` port, so the same rule runs against any job runner.
 */
import { z } from 'zod';
import { NEW_DATA_REQUESTS_PREFIX, RETRAIN_PENDING_KEY } from '../contracts/keys.js';
import { readWatermark } from '../lake/watermark.js';
import type { ObjectStore } from '../store/object-store.js';
import {
  daysCovered,
  decideRetrain,
  jobDataRange,
  type JobDataRange,
  type PendingRetrain,
  type RetrainCause,
  type RetrainTrigger,
  type TrainingJobSummary,
} from './retrain-policy.js';

/** Where the lake's new data came from; each source overwrites its own request. */
export type NewDataSource = 'ingest' | 'backfill';

export function newDataRequestKey(source: NewDataSource): string {
  return `${NEW_DATA_REQUESTS_PREFIX}${source}.json`;
}

/** One retrain request for a whole run's new data (the trigger listens to these, not to partitions). */
export async function requestRetrainForNewData(
  store: ObjectStore,
  source: NewDataSource,
  nowMs: number,
): Promise<string> {
  const key = newDataRequestKey(source);
  await store.put(key, JSON.stringify({ source, requestedAtMs: nowMs }));
  return key;
}

export type StartJobResult =
  | { status: 'started'; jobName: string }
  | { status: 'exists'; jobName: string }
  /** The account has no quota for the job's instance; `quota` names it and where to raise it. */
  | { status: 'quota-exceeded'; jobName: string; quota: string };

export interface TrainingJobs {
  /** The stack's newest jobs. */
  recent(): Promise<TrainingJobSummary[]>;
  /** Starts one job, named by `nowMs`'s minute, on `data` (the lookback ending now). */
  start(job: { trigger: RetrainTrigger; data: JobDataRange }, nowMs: number): Promise<StartJobResult>;
}

export interface RetrainSettings {
  minIntervalMs: number;
  symbols: readonly string[];
  lookbackDays: number;
  /** Fewer days of data than this within the lookback: no job. */
  minDays: number;
}

export type RetrainOutcome =
  | { started: true; jobName: string; trigger: RetrainTrigger }
  | {
      started: false;
      reason:
        | 'nothing-pending'
        | 'coalesced'
        | 'too-soon'
        | 'not-enough-data'
        | 'already-started'
        | 'quota-exceeded';
      detail: string;
    };

const pendingSchema = z.object({
  trigger: z.enum(['request', 'new-data']),
  requestedAtMs: z.number().int(),
});

export async function actOnRetrainCause(
  cause: RetrainCause,
  nowMs: number,
  deps: { store: ObjectStore; jobs: TrainingJobs; settings: RetrainSettings },
): Promise<RetrainOutcome> {
  const { store, jobs, settings } = deps;
  const decision = decideRetrain({
    nowMs,
    cause,
    pending: await readPending(store),
    jobs: await jobs.recent(),
    minIntervalMs: settings.minIntervalMs,
  });
  if (decision.action === 'skip') return { started: false, reason: decision.reason, detail: decision.detail };
  if (decision.action === 'coalesce') {
    await store.put(RETRAIN_PENDING_KEY, JSON.stringify(decision.pending satisfies PendingRetrain));
    return {
      started: false,
      reason: 'coalesced',
      detail: `${decision.runningJob} is running: the retrain starts when it ends`,
    };
  }
  const shortfall = await dataShortfall(store, nowMs, settings);
  if (shortfall) return { started: false, reason: 'not-enough-data', detail: shortfall };
  const data = jobDataRange(nowMs, settings.lookbackDays);
  const started = await jobs.start({ trigger: decision.trigger, data }, nowMs);
  if (started.status === 'exists')
    return { started: false, reason: 'already-started', detail: started.jobName };
  if (started.status === 'quota-exceeded')
    return { started: false, reason: 'quota-exceeded', detail: started.quota };
  return { started: true, jobName: started.jobName, trigger: decision.trigger };
}

async function readPending(store: ObjectStore): Promise<PendingRetrain | undefined> {
  const bytes = await store.get(RETRAIN_PENDING_KEY);
  if (!bytes) return undefined;
  // an unreadable marker is no retrain asked for: the next request writes a good one
  const parsed = pendingSchema.safeParse(safeJson(new TextDecoder().decode(bytes)));
  return parsed.success ? parsed.data : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Why the lake is too short to train on, naming how much it holds; undefined when it is enough. */
async function dataShortfall(
  store: ObjectStore,
  nowMs: number,
  settings: RetrainSettings,
): Promise<string | undefined> {
  const covered = await Promise.all(
    settings.symbols.map(async (symbol) => ({
      symbol,
      days: daysCovered(await readWatermark(store, symbol), nowMs, settings.lookbackDays),
    })),
  );
  const most = Math.max(0, ...covered.map((entry) => entry.days));
  if (most >= settings.minDays) return undefined;
  const holding = covered.filter((entry) => entry.days > 0).length;
  return (
    `the lake holds ${most.toFixed(1)} days of the ${settings.minDays} a retrain needs within the last ` +
    `${settings.lookbackDays} (${holding} of ${settings.symbols.length} symbols have any data): backfill first`
  );
}
