/** Lambda: an object under requests/tuning/ (EventBridge) → the tuning use case over SageMaker (see infra/tuning.ts). */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { composeFunction } from '../../src/app/compose.js';
import { startTuning, type TuningSettings } from '../../src/app/start-tuning.js';
import { sageMakerTuningJobs } from '../../src/aws/sagemaker-tuning-jobs.js';
import { functionEnvSchema } from '../../src/contracts/function-env.js';
import { TUNING_JOBS_STARTED_METRIC } from '../../src/contracts/metrics.js';
import { parseEnv } from '../shared/env.js';
import { objectCreatedEventSchema, parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { sageMakerJobEnvSchema, sageMakerJobSettings } from '../../src/contracts/sagemaker-job-env.js';
import { parseTuningRequest } from '../../src/tune/tuning-request.js';

const int = z.coerce.number().int().positive();
const job = parseEnv(sageMakerJobEnvSchema);
const env = parseEnv(
  functionEnvSchema({
    tuningJobPrefix: z.string().min(1),
    holdoutDays: int,
    maxJobs: int,
    maxParallelJobs: int,
    walkForwardFolds: int,
  }),
);
const jobSettings = sageMakerJobSettings(job, env.tuningJobPrefix);
const settings: TuningSettings = {
  symbols: jobSettings.symbols,
  lookbackDays: jobSettings.lookbackDays,
  holdoutDays: env.holdoutDays,
  maxJobs: env.maxJobs,
  maxParallelJobs: env.maxParallelJobs,
  walkForwardFolds: env.walkForwardFolds,
};
const tools = createTools('tuning-trigger');
const jobs = sageMakerTuningJobs(new SageMakerClient({ maxAttempts: 5 }), jobSettings);
const { store } = composeFunction(jobSettings);

export const handler = wrapHandler(tools, async (event) => {
  const created = parseEvent(objectCreatedEventSchema, event, 'an S3 Object Created event');
  const key = created.detail.object.key;
  const request = parseTuningRequest(key, await store.get(key));
  const outcome = await startTuning(request, Date.now(), { jobs, settings });
  if (outcome.started) tools.metrics.addMetric(TUNING_JOBS_STARTED_METRIC, 'Count', 1);
  tools.logger.info(outcome.started ? 'tuning job started' : 'no tuning job started', { key, ...outcome });
  return outcome;
});
