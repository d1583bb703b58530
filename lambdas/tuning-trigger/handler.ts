/** Lambda: an object under requests/tuning/ (EventBridge) → the tuning use case over SageMaker (see infra/tuning.ts). */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { startTuning, type TuningSettings } from '../../src/app/start-tuning.js';
import { sageMakerTuningJobs } from '../../src/aws/sagemaker-tuning-jobs.js';
import { openStore } from '../../src/store/open-store.js';
import { parseEnv } from '../shared/env.js';
import { objectCreatedEventSchema, parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { sageMakerJobEnvSchema, sageMakerJobSettings } from '../../src/contracts/sagemaker-job-env.js';
import { parseTuningRequest } from '../../src/tune/tuning-request.js';

const int = z.coerce.number().int().positive();
const env = parseEnv(
  sageMakerJobEnvSchema.extend({
    TUNING_JOB_PREFIX: z.string().min(1),
    HOLDOUT_DAYS: int,
    MAX_JOBS: int,
    MAX_PARALLEL_JOBS: int,
    WALK_FORWARD_FOLDS: int,
  }),
);
const jobSettings = sageMakerJobSettings(env, env.TUNING_JOB_PREFIX);
const settings: TuningSettings = {
  symbols: jobSettings.symbols,
  lookbackDays: jobSettings.lookbackDays,
  holdoutDays: env.HOLDOUT_DAYS,
  maxJobs: env.MAX_JOBS,
  maxParallelJobs: env.MAX_PARALLEL_JOBS,
  walkForwardFolds: env.WALK_FORWARD_FOLDS,
};
const tools = createTools('tuning-trigger');
const jobs = sageMakerTuningJobs(new SageMakerClient({ maxAttempts: 5 }), jobSettings);
const store = openStore(env.STORE_URL);

export const handler = wrapHandler(tools, async (event) => {
  const created = parseEvent(objectCreatedEventSchema, event, 'an S3 Object Created event');
  const key = created.detail.object.key;
  const request = parseTuningRequest(key, await store.get(key));
  const outcome = await startTuning(request, Date.now(), { jobs, settings });
  if (outcome.started) tools.metrics.addMetric('TuningJobsStarted', 'Count', 1);
  tools.logger.info(outcome.started ? 'tuning job started' : 'no tuning job started', { key, ...outcome });
  return outcome;
});
