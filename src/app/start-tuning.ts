/**
 * The cloud's tuning use case: a tuning request (an object under `requests/tuning/`, written by
 * `alpha15 tune --sagemaker` or by hand) becomes one tuning job over the training container. The same
 * search space as `alpha15 tune` (the built-in one, or the request's, checked against the same
 * config), the deployed budget unless the request narrows it, and the newest `holdoutDays` of the
 * lookback held out so the search never sees them. The job runner stays behind the `TuningJobs` port
 * (SageMaker in the cloud: src/aws/sagemaker-tuning-jobs.ts).
 */
import { configSchema } from '../config/schema.js';
import { defaultSearchSpace, validateSearchSpace, type SearchSpace } from '../tune/search-space.js';
import type { TuningRequest } from '../tune/tuning-request.js';
import { jobDataRange, type JobDataRange } from './retrain-policy.js';

/** What one tuning job runs: the search, its budget and every trial's data and folds. */
export interface TuningJobPlan {
  space: SearchSpace;
  /** Training jobs in total and at once. */
  maxJobs: number;
  maxParallelJobs: number;
  /** Most epochs per fold of every trial; undefined keeps the container's config. */
  epochs: number | undefined;
  walkForwardFolds: number;
  /** The lookback less its holdout: the trials never read past `toMs`. */
  data: JobDataRange;
}

export interface TuningJobs {
  /** Creates the job named by `nowMs`'s minute; `created: false` when that job already exists. */
  start(plan: TuningJobPlan, nowMs: number): Promise<{ created: boolean; name: string }>;
}

export interface TuningSettings {
  symbols: readonly string[];
  lookbackDays: number;
  /** The newest days of the lookback, never seen by the search (the test period). */
  holdoutDays: number;
  /** The deployed budget, when the request names none. */
  maxJobs: number;
  maxParallelJobs: number;
  walkForwardFolds: number;
}

export type TuningOutcome =
  { started: true; tuningJobName: string } | { started: false; reason: 'already-started'; detail: string };

/** The job a request asks for; a space the search cannot run is refused before any job exists. */
export function planTuningJob(
  request: TuningRequest,
  nowMs: number,
  settings: TuningSettings,
): TuningJobPlan {
  const base = configSchema.parse({ symbols: [...settings.symbols] });
  return {
    space:
      request.space === undefined
        ? defaultSearchSpace(base)
        : validateSearchSpace(request.space, base, 'the tuning request'),
    maxJobs: request.maxJobs ?? settings.maxJobs,
    maxParallelJobs: request.maxParallelJobs ?? settings.maxParallelJobs,
    epochs: request.epochs,
    walkForwardFolds: settings.walkForwardFolds,
    data: jobDataRange(nowMs, settings.lookbackDays, settings.holdoutDays),
  };
}

export async function startTuning(
  request: TuningRequest,
  nowMs: number,
  deps: { jobs: TuningJobs; settings: TuningSettings },
): Promise<TuningOutcome> {
  const started = await deps.jobs.start(planTuningJob(request, nowMs, deps.settings), nowMs);
  if (!started.created) return { started: false, reason: 'already-started', detail: started.name };
  return { started: true, tuningJobName: started.name };
}
