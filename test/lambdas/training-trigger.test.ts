/**
 * The training trigger's SageMaker side (lambdas/training-trigger/start-training.ts) and its deployed
 * handler: the request CreateTrainingJob receives, SageMaker's refusals as outcomes or typed errors, and
 * the events the handler turns into causes of the retrain use case (tested in test/app/request-retrain).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import {
  CreateTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  SageMakerServiceException,
  type TrainingJobStatus,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { TRAINING_METRIC_DEFINITIONS } from '../../src/contracts/metrics.js';
import { parseHyperparameters } from '../../src/contracts/sagemaker.js';
import { watermarkKey } from '../../src/lake/layout.js';
import { DAY_MS } from '../../src/time.js';
import { SageMakerThrottledError } from '../../lambdas/shared/sagemaker-job.js';
import {
  sageMakerTrainingJobs,
  type TrainingJobSettings,
} from '../../lambdas/training-trigger/start-training.js';
import { lambdaContext, objectCreatedEvent, trainingJobStateChange } from './support/events.js';
import { mockBucket, type MockBucket } from './support/s3-bucket.js';
import { JOB_SETTINGS, setHandlerEnvironment } from './support/sagemaker-job.js';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse('2026-11-24T18:30:20Z');
const settings: TrainingJobSettings = {
  ...JOB_SETTINGS,
  retrainMinIntervalMs: 24 * HOUR_MS,
  minDays: 30,
  jobPrefix: 'alpha15-',
  requestPrefix: 'requests/training/',
  newDataPrefix: 'requests/new-data/',
  checkpointPrefix: 'sagemaker/checkpoints/',
};

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

const runner = () => sageMakerTrainingJobs(new SageMakerClient({ region: 'eu-west-1' }), settings);

function sageMakerError(name: string, message = name): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message,
  });
}

test('a retrain starts one managed-spot GPU job with checkpoints, metric definitions and string hyperparameters', async () => {
  sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:job' });
  assert.deepEqual(await runner().start('new-data', NOW_MS), {
    status: 'started',
    jobName: 'alpha15-20261124-1830',
  });
  const request = sagemaker.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input;
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
  assert.deepEqual(request.Tags?.[0], { Key: 'alpha15:trigger', Value: 'new-data' });
  const hyperparameters = parseHyperparameters(request.HyperParameters);
  assert.equal(hyperparameters.jobName, 'alpha15-20261124-1830');
  assert.equal(hyperparameters.toMs, Date.parse('2026-11-24T18:30:00Z'));
  assert.equal(hyperparameters.toMs! - hyperparameters.fromMs!, 90 * 24 * HOUR_MS);
});

test("the stack's newest jobs, with their status and creation time", async () => {
  sagemaker
    .on(ListTrainingJobsCommand)
    .resolves(
      jobs(
        { name: 'alpha15-20261124-1700', status: 'InProgress', startedMs: NOW_MS - HOUR_MS },
        { name: 'other-job', status: 'Completed', startedMs: NOW_MS },
      ),
    );
  assert.deepEqual(await runner().recent(), [
    { name: 'alpha15-20261124-1700', status: 'InProgress', createdMs: NOW_MS - HOUR_MS },
  ]);
});

test('a missing spot quota (ResourceLimitExceeded) is an outcome naming the quota and its console page, not an error Lambda would retry', async () => {
  sagemaker
    .on(CreateTrainingJobCommand)
    .rejects(sageMakerError('ResourceLimitExceeded', 'The account-level service limit ... is 0 Instances'));
  const result = await runner().start('request', NOW_MS);
  assert.deepEqual(result, {
    status: 'quota-exceeded',
    jobName: 'alpha15-20261124-1830',
    quota:
      '"ml.g4dn.xlarge for spot training job usage" (Service Quotas, Amazon SageMaker): https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas',
  });
  assert.equal(sagemaker.commandCalls(CreateTrainingJobCommand).length, 1, 'asked once, not retried');
});

test('SageMaker throttling fails the invocation with a retryable typed error', async () => {
  sagemaker.on(ListTrainingJobsCommand).rejects(sageMakerError('ThrottlingException', 'Rate exceeded'));
  await assert.rejects(runner().recent(), SageMakerThrottledError);
  sagemaker.on(CreateTrainingJobCommand).rejects(sageMakerError('ThrottlingException', 'Rate exceeded'));
  await assert.rejects(
    runner().start('request', NOW_MS),
    (error: unknown) =>
      error instanceof SageMakerThrottledError && /EventBridge retries/.test(error.hint ?? ''),
  );
});

test('a redelivered event in the same minute finds its job already created and creates no other', async () => {
  sagemaker.on(CreateTrainingJobCommand).rejects(sageMakerError('ResourceInUse', 'exists'));
  assert.deepEqual(await runner().start('request', NOW_MS), {
    status: 'exists',
    jobName: 'alpha15-20261124-1830',
  });
});

// --- the deployed handler

let bucket: MockBucket;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
before(async () => {
  bucket = mockBucket();
  setHandlerEnvironment(settings, {
    TRAINING_JOB_PREFIX: 'alpha15-',
    RETRAIN_MIN_INTERVAL_SECONDS: '86400',
    TRAINING_MIN_DAYS: '30',
    REQUEST_PREFIX: 'requests/training/',
    NEW_DATA_PREFIX: 'requests/new-data/',
    CHECKPOINT_PREFIX: 'sagemaker/checkpoints/',
  });
  ({ handler } = (await import('../../lambdas/training-trigger/handler.js')) as unknown as {
    handler: typeof handler;
  });
  // 60 days of BTCUSDT up to now: enough to train on
  bucket.objects.set(
    watermarkKey('BTCUSDT'),
    new TextEncoder().encode(
      JSON.stringify({
        symbol: 'BTCUSDT',
        firstOpenTimeMs: Date.now() - 60 * DAY_MS,
        lastOpenTimeMs: Date.now() - 60_000,
        partitions: {},
      }),
    ),
  );
});
after(() => bucket.restore());

test('the handler turns a training request into a job, coalesces a new-data request while it runs, and starts it when the job ends', async () => {
  const running: { name: string; status: TrainingJobStatus; startedMs: number }[] = [];
  sagemaker.on(ListTrainingJobsCommand).callsFake(() => jobs(...running));
  sagemaker.on(CreateTrainingJobCommand).callsFake((input: { TrainingJobName: string }) => {
    running.push({ name: input.TrainingJobName, status: 'InProgress', startedMs: Date.now() });
    return { TrainingJobArn: 'arn:job' };
  });
  const first = (await handler(
    objectCreatedEvent('alpha15-lake', 'requests/training/now.json'),
    lambdaContext,
  )) as {
    started: boolean;
    jobName: string;
  };
  assert.equal(first.started, true);
  const coalesced = (await handler(
    objectCreatedEvent('alpha15-lake', 'requests/new-data/ingest.json'),
    lambdaContext,
  )) as { reason: string };
  assert.equal(coalesced.reason, 'coalesced');
  assert.ok(bucket.objects.has('requests/pending/retrain.json'));
  // the job ends a minute later (a new job name is a new minute)
  running[0]!.status = 'Completed';
  running[0]!.startedMs -= 2 * 60_000;
  const pending = JSON.parse(bucket.text('requests/pending/retrain.json')!) as { requestedAtMs: number };
  bucket.objects.set(
    'requests/pending/retrain.json',
    new TextEncoder().encode(JSON.stringify({ ...pending, requestedAtMs: pending.requestedAtMs - 60_000 })),
  );
  const next = (await handler(trainingJobStateChange(first.jobName, 'Completed'), lambdaContext)) as {
    started: boolean;
    reason?: string;
  };
  assert.equal(next.reason ?? 'started', 'too-soon', 'new data alone waits for the interval');
  assert.equal(sagemaker.commandCalls(CreateTrainingJobCommand).length, 1);
});

test('the handler refuses an object no retrain listens to, and a malformed event, by name', async () => {
  await assert.rejects(
    handler(
      objectCreatedEvent('alpha15-lake', 'curated/klines/symbol=BTCUSDT/month=2026-11/klines.parquet'),
      lambdaContext,
    ),
    { name: 'UnexpectedEventError' },
  );
  await assert.rejects(handler({ 'detail-type': 'Object Created', source: 'aws.s3' }, lambdaContext), {
    name: 'UnexpectedEventError',
  });
  assert.equal(sagemaker.calls().length, 0);
});
