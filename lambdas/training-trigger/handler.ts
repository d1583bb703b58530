/** Lambda: S3 (EventBridge) → one SageMaker training job (see infra/training.ts). */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { parseEnv } from '../shared/env.js';
import { objectCreatedEventSchema, parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { sageMakerJobEnvSchema, sageMakerJobSettings } from '../../src/contracts/sagemaker-job-env.js';
import { startTrainingIfIdle, type TrainingJobSettings } from './start-training.js';

const env = parseEnv(
  sageMakerJobEnvSchema.extend({
    TRAINING_JOB_PREFIX: z.string().min(1),
    RETRAIN_MIN_INTERVAL_SECONDS: z.coerce.number().nonnegative(),
    CURATED_PREFIX: z.string().min(1),
    REQUEST_PREFIX: z.string().min(1),
    CHECKPOINT_PREFIX: z.string().min(1),
  }),
);
const settings: TrainingJobSettings = {
  ...sageMakerJobSettings(env, env.TRAINING_JOB_PREFIX),
  retrainMinIntervalMs: env.RETRAIN_MIN_INTERVAL_SECONDS * 1000,
  curatedPrefix: env.CURATED_PREFIX,
  requestPrefix: env.REQUEST_PREFIX,
  checkpointPrefix: env.CHECKPOINT_PREFIX,
};
const tools = createTools('training-trigger');
const sagemaker = new SageMakerClient({ maxAttempts: 5 });

export const handler = wrapHandler(tools, async (event) => {
  const created = parseEvent(objectCreatedEventSchema, event, 'an S3 Object Created event');
  const outcome = await startTrainingIfIdle(created.detail.object.key, Date.now(), { sagemaker, settings });
  if (outcome.started) tools.metrics.addMetric('TrainingJobsStarted', 'Count', 1);
  tools.logger.info(outcome.started ? 'training job started' : 'no training job started', {
    key: created.detail.object.key,
    ...outcome,
  });
  return outcome;
});
