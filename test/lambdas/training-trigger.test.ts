import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  CreateTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  SageMakerServiceException,
  type TrainingJobStatus,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { partitionKey } from '../../src/lake/layout.js';
import { TRAINING_METRIC_DEFINITIONS } from '../../src/contracts/metrics.js';
import { parseHyperparameters } from '../../src/contracts/sagemaker.js';
import { SageMakerThrottledError } from '../../lambdas/shared/sagemaker-job.js';
import {
  startTrainingIfIdle,
  type TrainingJobSettings,
} from '../../lambdas/training-trigger/start-training.js';
import { lambdaContext, objectCreatedEvent } from './support/events.js';
import { JOB_SETTINGS, setHandlerEnvironment } from './support/sagemaker-job.js';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse('2026-11-24T18:30:20Z');
const settings: TrainingJobSettings = {
  ...JOB_SETTINGS,
  retrainMinIntervalMs: 24 * HOUR_MS,
  jobPrefix: 'alpha15-',
  curatedPrefix: 'curated/klines/',
  requestPrefix: 'requests/training/',
  checkpointPrefix: 'sagemaker/checkpoints/',
};
/** The month partition a live ingestion rewrites, keyed as the lake keys it. */
const NEW_PARTITION = partitionKey('BTCUSDT', Date.UTC(2026, 10, 1));

const sagemaker = mockClient(SageMakerClient);
beforeEach(() => sagemaker.reset());
afterEach(() => sagemaker.reset());

function jobs(...list: { name: string; status: TrainingJobStatus; startedMs: number }[]) {
  return {
    TrainingJobSummaries: list.map((job) => ({
      TrainingJobName: job.name,
      TrainingJobArn: `arn:aws:sagemaker:eu-west-1:123456789012:training-job/${job.name}`,
      TrainingJobStatus: job.status,
      CreationTime: new Date(job.startedMs),
    })),
  };
}

const start = (key: string) =>
  startTrainingIfIdle(key, NOW_MS, { sagemaker: new SageMakerClient({ region: 'eu-west-1' }), settings });

test('new curated data starts one managed-spot GPU job with checkpoints, metric definitions and string hyperparameters', async () => {
  sagemaker
    .on(ListTrainingJobsCommand)
    .resolves(jobs({ name: 'alpha15-20261122-0100', status: 'Completed', startedMs: NOW_MS - 48 * HOUR_MS }));
  sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:job' });
  const outcome = await start(NEW_PARTITION);
  assert.deepEqual(outcome, { started: true, jobName: 'alpha15-20261124-1830', trigger: 'curated-data' });

  const [create] = sagemaker.commandCalls(CreateTrainingJobCommand);
  const request = create!.args[0].input;
  assert.equal(request.EnableManagedSpotTraining, true);
  assert.equal(request.ResourceConfig?.InstanceType, 'ml.g4dn.xlarge');
  // the job's S3 client signs for the bucket's region, not the SDK's us-east-1 fallback
  assert.deepEqual(request.Environment, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' });
  assert.deepEqual(request.StoppingCondition, { MaxRuntimeInSeconds: 14_400, MaxWaitTimeInSeconds: 28_800 });
  assert.deepEqual(request.CheckpointConfig, {
    S3Uri: 's3://alpha15-lake/sagemaker/checkpoints/alpha15-20261124-1830/',
    LocalPath: '/opt/ml/checkpoints',
  });
  assert.deepEqual(request.AlgorithmSpecification?.MetricDefinitions, TRAINING_METRIC_DEFINITIONS);
  assert.ok(Object.values(request.HyperParameters!).every((value) => typeof value === 'string'));
  const hyperparameters = parseHyperparameters(request.HyperParameters);
  assert.equal(hyperparameters.jobName, 'alpha15-20261124-1830');
  assert.equal(hyperparameters.toMs, Date.parse('2026-11-24T18:30:00Z'));
  assert.equal(hyperparameters.toMs! - hyperparameters.fromMs!, 90 * 24 * HOUR_MS);
});

test('no second job starts while one is running, whatever the trigger', async () => {
  sagemaker
    .on(ListTrainingJobsCommand)
    .resolves(jobs({ name: 'alpha15-20261124-1700', status: 'InProgress', startedMs: NOW_MS - HOUR_MS }));
  for (const key of [NEW_PARTITION, 'requests/training/now.json']) {
    const outcome = await start(key);
    assert.deepEqual(outcome, { started: false, reason: 'job-in-progress', detail: 'alpha15-20261124-1700' });
  }
  assert.equal(sagemaker.commandCalls(CreateTrainingJobCommand).length, 0);
});

test('new data within the retrain interval waits, but a training request starts a job at once', async () => {
  sagemaker
    .on(ListTrainingJobsCommand)
    .resolves(jobs({ name: 'alpha15-20261124-1200', status: 'Completed', startedMs: NOW_MS - 6 * HOUR_MS }));
  sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:job' });
  assert.equal((await start(NEW_PARTITION)).started, false);
  assert.equal(sagemaker.commandCalls(CreateTrainingJobCommand).length, 0);
  assert.deepEqual(await start('requests/training/retrain please.json'), {
    started: true,
    jobName: 'alpha15-20261124-1830',
    trigger: 'request',
  });
});

/** What SageMaker answers when the account's API rate is exceeded. */
function throttled(): SageMakerServiceException {
  return new SageMakerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
}

test('SageMaker throttling fails the invocation with a retryable typed error and starts nothing', async () => {
  sagemaker.on(ListTrainingJobsCommand).rejects(throttled());
  await assert.rejects(start(NEW_PARTITION), SageMakerThrottledError);
  assert.equal(sagemaker.commandCalls(CreateTrainingJobCommand).length, 0);

  sagemaker.reset();
  sagemaker.on(ListTrainingJobsCommand).resolves(jobs());
  sagemaker.on(CreateTrainingJobCommand).rejects(throttled());
  await assert.rejects(
    start(NEW_PARTITION),
    (error: unknown) =>
      error instanceof SageMakerThrottledError && /EventBridge retries/.test(error.hint ?? ''),
  );
});

test('a redelivered event in the same minute finds its job already created and creates no other', async () => {
  sagemaker.on(ListTrainingJobsCommand).resolves(jobs());
  sagemaker.on(CreateTrainingJobCommand).rejects(
    new SageMakerServiceException({
      name: 'ResourceInUse',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'exists',
    }),
  );
  assert.deepEqual(await start(NEW_PARTITION), {
    started: false,
    reason: 'already-started',
    detail: 'alpha15-20261124-1830',
  });
});

test('objects outside the trigger prefixes (watermarks, models) never call SageMaker', async () => {
  for (const key of ['curated/watermarks/BTCUSDT.json', 'models/champion.json'])
    assert.equal((await start(key)).started, false);
  assert.equal(sagemaker.calls().length, 0);
});

test('the deployed handler parses the S3 event from EventBridge and starts the job', async () => {
  setHandlerEnvironment(settings, {
    TRAINING_JOB_PREFIX: 'alpha15-',
    RETRAIN_MIN_INTERVAL_SECONDS: '86400',
    CURATED_PREFIX: 'curated/klines/',
    REQUEST_PREFIX: 'requests/training/',
    CHECKPOINT_PREFIX: 'sagemaker/checkpoints/',
  });
  const { handler } = await import('../../lambdas/training-trigger/handler.js');
  sagemaker.on(ListTrainingJobsCommand).resolves(jobs());
  sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:job' });
  const outcome = await handler(
    objectCreatedEvent('alpha15-lake', 'requests/training/now.json'),
    lambdaContext,
  );
  assert.equal((outcome as { started: boolean }).started, true);
  await assert.rejects(handler({ 'detail-type': 'Object Created', source: 'aws.s3' }, lambdaContext), {
    name: 'UnexpectedEventError',
  });
});
