/**
 * Lambda: a retrain request, new-data request or the end of a training job → the retrain use case
 * (src/app/request-retrain.ts) over SageMaker (see infra/training.ts).
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { actOnRetrainCause, type RetrainSettings } from '../../src/app/request-retrain.js';
import type { RetrainCause } from '../../src/app/retrain-policy.js';
import { TRAINING_QUOTA_EXCEEDED_METRIC } from '../../src/contracts/metrics.js';
import { openStore } from '../../src/store/open-store.js';
import { parseEnv } from '../shared/env.js';
import {
  objectCreatedEventSchema,
  parseEvent,
  trainingJobStateChangeSchema,
  UnexpectedEventError,
} from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { sageMakerJobEnvSchema, sageMakerJobSettings } from '../../src/contracts/sagemaker-job-env.js';
import { sageMakerTrainingJobs } from '../../src/aws/sagemaker-training-jobs.js';

const env = parseEnv(
  sageMakerJobEnvSchema.extend({
    TRAINING_JOB_PREFIX: z.string().min(1),
    RETRAIN_MIN_INTERVAL_SECONDS: z.coerce.number().nonnegative(),
    TRAINING_MIN_DAYS: z.coerce.number().nonnegative(),
    REQUEST_PREFIX: z.string().min(1),
    NEW_DATA_PREFIX: z.string().min(1),
    CHECKPOINT_PREFIX: z.string().min(1),
  }),
);
const jobSettings = sageMakerJobSettings(env, env.TRAINING_JOB_PREFIX);
const settings: RetrainSettings = {
  minIntervalMs: env.RETRAIN_MIN_INTERVAL_SECONDS * 1000,
  symbols: jobSettings.symbols,
  lookbackDays: jobSettings.lookbackDays,
  minDays: env.TRAINING_MIN_DAYS,
};
const tools = createTools('training-trigger');
const store = openStore(env.STORE_URL);
const jobs = sageMakerTrainingJobs(new SageMakerClient({ maxAttempts: 5 }), {
  ...jobSettings,
  checkpointPrefix: env.CHECKPOINT_PREFIX,
});

const eventSchema = z.union([objectCreatedEventSchema, trainingJobStateChangeSchema]);

function causeOf(event: z.infer<typeof eventSchema>): RetrainCause {
  if (event.source === 'aws.sagemaker') return { kind: 'job-ended', jobName: event.detail.TrainingJobName };
  const key = event.detail.object.key;
  if (key.startsWith(env.REQUEST_PREFIX)) return { kind: 'request', key };
  if (key.startsWith(env.NEW_DATA_PREFIX)) return { kind: 'new-data', key };
  throw new UnexpectedEventError(`no retrain listens to ${key}`, 'check the rule of infra/training.ts', {
    data: { key },
  });
}

export const handler = wrapHandler(tools, async (event) => {
  const parsed = parseEvent(eventSchema, event, 'an S3 Object Created or a training job state change');
  const cause = causeOf(parsed);
  const outcome = await actOnRetrainCause(cause, Date.now(), { store, jobs, settings });
  if (outcome.started) tools.metrics.addMetric('TrainingJobsStarted', 'Count', 1);
  // one alarm (infra/training.ts) rather than a retried, failing event per request
  if (!outcome.started && outcome.reason === 'quota-exceeded')
    tools.metrics.addMetric(TRAINING_QUOTA_EXCEEDED_METRIC, 'Count', 1);
  const log =
    !outcome.started && ['quota-exceeded', 'not-enough-data'].includes(outcome.reason) ? 'warn' : 'info';
  tools.logger[log](outcome.started ? 'training job started' : 'no training job started', {
    cause,
    ...outcome,
  });
  return outcome;
});
