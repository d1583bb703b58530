/** Lambda: S3 (EventBridge) → one SageMaker training job (see infra/training.ts). */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { symbolListTextSchema } from '../../src/contracts/symbols.js';
import { metricDefinitionsSchema, parseEnv } from '../shared/env.js';
import { objectCreatedEventSchema, parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { startTrainingIfIdle, type TrainingJobSettings } from './start-training.js';

const env = parseEnv(
  z.object({
    BUCKET_NAME: z.string().min(3),
    STORE_URL: z.string().startsWith('s3://'),
    SYMBOLS: symbolListTextSchema,
    JOB_ROLE_ARN: z.string().startsWith('arn:'),
    IMAGE_URI: z.string().min(1),
    INSTANCE_TYPE: z.string().startsWith('ml.'),
    VOLUME_SIZE_GB: z.coerce.number().int().positive(),
    MAX_RUNTIME_SECONDS: z.coerce.number().int().positive(),
    MAX_WAIT_SECONDS: z.coerce.number().int().positive(),
    RETRAIN_MIN_INTERVAL_SECONDS: z.coerce.number().nonnegative(),
    LOOKBACK_DAYS: z.coerce.number().int().positive(),
    TRAINING_JOB_PREFIX: z.string().min(1),
    CURATED_PREFIX: z.string().min(1),
    REQUEST_PREFIX: z.string().min(1),
    OUTPUT_PREFIX: z.string().min(1),
    CHECKPOINT_PREFIX: z.string().min(1),
    METRIC_DEFINITIONS: metricDefinitionsSchema,
    // set by the Lambda runtime; the job gets it too, so its S3 client signs for the bucket's region
    AWS_REGION: z.string().min(1),
  }),
);

const settings: TrainingJobSettings = {
  bucketName: env.BUCKET_NAME,
  storeUrl: env.STORE_URL,
  symbols: env.SYMBOLS,
  jobRoleArn: env.JOB_ROLE_ARN,
  imageUri: env.IMAGE_URI,
  instanceType: env.INSTANCE_TYPE,
  volumeSizeGb: env.VOLUME_SIZE_GB,
  maxRuntimeSeconds: env.MAX_RUNTIME_SECONDS,
  maxWaitSeconds: env.MAX_WAIT_SECONDS,
  retrainMinIntervalMs: env.RETRAIN_MIN_INTERVAL_SECONDS * 1000,
  lookbackDays: env.LOOKBACK_DAYS,
  jobPrefix: env.TRAINING_JOB_PREFIX,
  curatedPrefix: env.CURATED_PREFIX,
  requestPrefix: env.REQUEST_PREFIX,
  outputPrefix: env.OUTPUT_PREFIX,
  checkpointPrefix: env.CHECKPOINT_PREFIX,
  metricDefinitions: env.METRIC_DEFINITIONS,
  region: env.AWS_REGION,
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
