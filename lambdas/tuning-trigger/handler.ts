/** Lambda: an object under requests/tuning/ (EventBridge) → one SageMaker tuning job (see infra/tuning.ts). */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { openStore } from '../../src/store/open-store.js';
import { symbolListTextSchema } from '../../src/contracts/symbols.js';
import { metricDefinitionsSchema, parseEnv } from '../shared/env.js';
import { objectCreatedEventSchema, parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { parseTuningRequest } from '../../src/tune/tuning-request.js';
import { startTuning, type TuningJobSettings } from './start-tuning.js';

const int = z.coerce.number().int().positive();
const env = parseEnv(
  z.object({
    BUCKET_NAME: z.string().min(3),
    STORE_URL: z.string().startsWith('s3://'),
    SYMBOLS: symbolListTextSchema,
    JOB_ROLE_ARN: z.string().startsWith('arn:'),
    IMAGE_URI: z.string().min(1),
    INSTANCE_TYPE: z.string().startsWith('ml.'),
    VOLUME_SIZE_GB: int,
    MAX_RUNTIME_SECONDS: int,
    MAX_WAIT_SECONDS: int,
    LOOKBACK_DAYS: int,
    HOLDOUT_DAYS: int,
    MAX_JOBS: int,
    MAX_PARALLEL_JOBS: int,
    WALK_FORWARD_FOLDS: int,
    TUNING_JOB_PREFIX: z.string().min(1),
    OUTPUT_PREFIX: z.string().min(1),
    METRIC_DEFINITIONS: metricDefinitionsSchema,
    // set by the Lambda runtime; every trial gets it too, so its S3 client signs for the bucket's region
    AWS_REGION: z.string().min(1),
  }),
);

const settings: TuningJobSettings = {
  bucketName: env.BUCKET_NAME,
  storeUrl: env.STORE_URL,
  symbols: env.SYMBOLS,
  jobRoleArn: env.JOB_ROLE_ARN,
  imageUri: env.IMAGE_URI,
  instanceType: env.INSTANCE_TYPE,
  volumeSizeGb: env.VOLUME_SIZE_GB,
  maxRuntimeSeconds: env.MAX_RUNTIME_SECONDS,
  maxWaitSeconds: env.MAX_WAIT_SECONDS,
  lookbackDays: env.LOOKBACK_DAYS,
  holdoutDays: env.HOLDOUT_DAYS,
  maxJobs: env.MAX_JOBS,
  maxParallelJobs: env.MAX_PARALLEL_JOBS,
  walkForwardFolds: env.WALK_FORWARD_FOLDS,
  jobPrefix: env.TUNING_JOB_PREFIX,
  outputPrefix: env.OUTPUT_PREFIX,
  metricDefinitions: env.METRIC_DEFINITIONS,
  region: env.AWS_REGION,
};
const tools = createTools('tuning-trigger');
const sagemaker = new SageMakerClient({ maxAttempts: 5 });
const store = openStore(env.STORE_URL);

export const handler = wrapHandler(tools, async (event) => {
  const created = parseEvent(objectCreatedEventSchema, event, 'an S3 Object Created event');
  const key = created.detail.object.key;
  const request = parseTuningRequest(key, await store.get(key));
  const outcome = await startTuning(request, Date.now(), { sagemaker, settings });
  if (outcome.started) tools.metrics.addMetric('TuningJobsStarted', 'Count', 1);
  tools.logger.info(outcome.started ? 'tuning job started' : 'no tuning job started', { key, ...outcome });
  return outcome;
});
