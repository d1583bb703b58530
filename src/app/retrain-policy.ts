/**
 * When a retrain starts: the one rule the cloud's training trigger applies (and the place to read it).
 *
 * - Causes: an explicit request (any object under requests/training/), new lake data (one request per
 *   ingestion run or backfill, never one per partition), or the end of a training job.
 * - Never two jobs at once. A cause arriving while a job runs is coalesced into one pending retrain,
 *   which the end of that job starts: nothing is dropped, however many causes arrive meanwhile.
 * - New data retrains at most once per interval; an explicit request retrains at once.
 * - A retrain needs a minimum of data within the training lookback; less is refused, naming how much.
 * - A job trains on the lookback ending at the minute it starts (a tuning job less its newest holdout
 *   days: the search never sees them, they stay the honest test period).
 */
import { DAY_MS, floorToMinute, MINUTE_MS } from '../time.js';

export type RetrainTrigger = 'request' | 'new-data';

export type RetrainCause = { kind: RetrainTrigger; key: string } | { kind: 'job-ended'; jobName: string };

/** A retrain asked for while a job ran (RETRAIN_PENDING_KEY). */
export interface PendingRetrain {
  trigger: RetrainTrigger;
  requestedAtMs: number;
}

export interface TrainingJobSummary {
  name: string;
  status: string;
  createdMs: number;
}

export type RetrainDecision =
  | { action: 'start'; trigger: RetrainTrigger }
  | { action: 'coalesce'; pending: PendingRetrain; runningJob: string }
  | { action: 'skip'; reason: 'nothing-pending' | 'too-soon'; detail: string };

const RUNNING = new Set(['InProgress', 'Stopping']);

export function decideRetrain(input: {
  nowMs: number;
  cause: RetrainCause;
  /** What the pending object holds, if any. */
  pending: PendingRetrain | undefined;
  /** The newest jobs of the stack (any order). */
  jobs: readonly TrainingJobSummary[];
  minIntervalMs: number;
}): RetrainDecision {
  const newest = [...input.jobs].sort((a, b) => b.createdMs - a.createdMs)[0];
  // a pending retrain is consumed by the first job created after it was asked for
  const pending =
    input.pending && (newest === undefined || input.pending.requestedAtMs > newest.createdMs)
      ? input.pending.trigger
      : undefined;
  const asked = input.cause.kind === 'job-ended' ? undefined : input.cause.kind;
  const trigger: RetrainTrigger | undefined =
    asked === 'request' || pending === 'request' ? 'request' : (asked ?? pending);
  if (trigger === undefined)
    return { action: 'skip', reason: 'nothing-pending', detail: 'no retrain was asked for' };

  const running = input.jobs.find((job) => RUNNING.has(job.status));
  if (running)
    return {
      action: 'coalesce',
      pending: { trigger, requestedAtMs: input.nowMs },
      runningJob: running.name,
    };
  if (
    trigger === 'new-data' &&
    newest !== undefined &&
    input.nowMs - newest.createdMs < input.minIntervalMs
  ) {
    return {
      action: 'skip',
      reason: 'too-soon',
      detail: `${newest.name} started ${new Date(newest.createdMs).toISOString()}`,
    };
  }
  return { action: 'start', trigger };
}

/** Days of the lookback window [nowMs - lookbackDays, nowMs) a symbol's lake data covers. */
export function daysCovered(
  range: { firstOpenTimeMs: number; lastOpenTimeMs: number } | undefined,
  nowMs: number,
  lookbackDays: number,
): number {
  if (range === undefined) return 0;
  const fromMs = Math.max(range.firstOpenTimeMs, nowMs - lookbackDays * DAY_MS);
  const toMs = Math.min(range.lastOpenTimeMs + MINUTE_MS, nowMs);
  return Math.max(0, toMs - fromMs) / DAY_MS;
}

/** The data a cloud job trains on: [fromMs, toMs) in UTC epoch ms. */
export interface JobDataRange {
  fromMs: number;
  toMs: number;
}

/**
 * The lookback ending at `nowMs`'s minute, less its newest `holdoutDays`: what a training job (no
 * holdout) or a tuning job's trials read from the lake.
 */
export function jobDataRange(nowMs: number, lookbackDays: number, holdoutDays = 0): JobDataRange {
  const dataToMs = floorToMinute(nowMs);
  return { fromMs: dataToMs - lookbackDays * DAY_MS, toMs: dataToMs - holdoutDays * DAY_MS };
}
