/**
 * Lambda: a retrain request, new-data request or the end of a training job → the retrain use case
 * (src/app/request-retrain.ts) over SageMaker (see infra/training.ts).
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { actOnRetrainCause, type RetrainSettings } from '../../src/app/request-retrain.js';
import type { RetrainCause } from '../../src/app/retrain-policy.js';
import { composeFunction } from '../../src/app/compose.js';
import { functionEnvSchema } from '../../src/contracts/function-env.js';
import { TRAINING_JOBS_STARTED_METRIC, TRAINING_QUOTA_EXCEEDED_METRIC } from '../../src/contracts/metrics.js';
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

const job = parseEnv(sageMakerJobEnvSchema);
const env = parseEnv(
  functionEnvSchema({
    trainingJobPrefix: z.string().min(1),
    retrainMinIntervalSeconds: z.coerce.number().nonnegative(),
    trainingMinDays: z.coerce.number().nonnegative(),
    requestPrefix: z.string().min(1),
    newDataPrefix: z.string().min(1),
    checkpointPrefix: z.string().min(1),
  }),
);
const jobSettings = sageMakerJobSettings(job, env.trainingJobPrefix);
const settings: RetrainSettings = {
  minIntervalMs: env.retrainMinIntervalSeconds * 1000,
  symbols: jobSettings.symbols,
  lookbackDays: jobSettings.lookbackDays,
  minDays: env.trainingMinDays,
};
const tools = createTools('training-trigger');
const { store } = composeFunction(jobSettings);
const jobs = sageMakerTrainingJobs(new SageMakerClient({ maxAttempts: 5 }), {
  ...jobSettings,
  checkpointPrefix: env.checkpointPrefix,
});

const eventSchema = z.union([objectCreatedEventSchema, trainingJobStateChangeSchema]);

function causeOf(event: z.infer<typeof eventSchema>): RetrainCause {
  if (event.source === 'aws.sagemaker') return { kind: 'job-ended', jobName: event.detail.TrainingJobName };
  const key = event.detail.object.key;
  if (key.startsWith(env.requestPrefix)) return { kind: 'request', key };
  if (key.startsWith(env.newDataPrefix)) return { kind: 'new-data', key };
  throw new UnexpectedEventError(`no retrain listens to ${key}`, 'check the rule of infra/training.ts', {
    data: { key },
  });
}

export const handler = wrapHandler(tools, async (event) => {
  const parsed = parseEvent(eventSchema, event, 'an S3 Object Created or a training job state change');
  const cause = causeOf(parsed);
  const outcome = await actOnRetrainCause(cause, Date.now(), { store, jobs, settings });
  if (outcome.started) tools.metrics.addMetric(TRAINING_JOBS_STARTED_METRIC, 'Count', 1);
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
