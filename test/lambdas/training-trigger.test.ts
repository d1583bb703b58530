/**
 * The training trigger's deployed handler (lambdas/training-trigger/handler.ts): the events it turns
 * into causes of the retrain use case (tested in test/app/request-retrain) over the SageMaker adapter
 * (tested in test/aws/sagemaker-training-jobs).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import {
  CreateTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  type TrainingJobStatus,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { watermarkKey } from '../../src/lake/layout.js';
import { DAY_MS } from '../../src/time.js';
import { lambdaContext, objectCreatedEvent, trainingJobStateChange } from './support/events.js';
import { mockBucket, type MockBucket } from './support/s3-bucket.js';
import { JOB_SETTINGS, listedJobs, setHandlerEnvironment } from './support/sagemaker-job.js';

const sagemaker = mockClient(SageMakerClient);
beforeEach(() => sagemaker.reset());
afterEach(() => sagemaker.reset());

let bucket: MockBucket;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
before(async () => {
  bucket = mockBucket();
  setHandlerEnvironment(
    { ...JOB_SETTINGS, jobPrefix: 'alpha15-' },
    {
      TRAINING_JOB_PREFIX: 'alpha15-',
      RETRAIN_MIN_INTERVAL_SECONDS: '86400',
      TRAINING_MIN_DAYS: '30',
      REQUEST_PREFIX: 'requests/training/',
      NEW_DATA_PREFIX: 'requests/new-data/',
      CHECKPOINT_PREFIX: 'sagemaker/checkpoints/',
    },
  );
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
  sagemaker.on(ListTrainingJobsCommand).callsFake(() => listedJobs(...running));
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
