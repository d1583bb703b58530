/** The tuning trigger's deployed handler (lambdas/tuning-trigger/handler.ts): request object in, tuning job out. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { CreateHyperParameterTuningJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext, objectCreatedEvent } from './support/events.js';
import { mockBucket } from './support/s3-bucket.js';
import { setHandlerEnvironment, TUNING_JOB_SETTINGS } from './support/sagemaker-job.js';

const sagemaker = mockClient(SageMakerClient);
beforeEach(() => sagemaker.reset());
afterEach(() => sagemaker.reset());

function sentRequest() {
  const calls = sagemaker.commandCalls(CreateHyperParameterTuningJobCommand);
  assert.equal(calls.length, 1);
  return calls[0]!.args[0].input;
}

test('the deployed handler reads the request object from the bucket and starts the tuning job', async (t) => {
  const bucket = mockBucket();
  t.after(() => bucket.restore());
  bucket.objects.set('requests/tuning/now.json', new TextEncoder().encode('{"maxJobs": 4}'));
  setHandlerEnvironment(TUNING_JOB_SETTINGS, {
    TUNING_JOB_PREFIX: 'a15tune-',
    HOLDOUT_DAYS: '14',
    MAX_JOBS: '20',
    MAX_PARALLEL_JOBS: '2',
    WALK_FORWARD_FOLDS: '3',
  });
  const { handler } = await import('../../lambdas/tuning-trigger/handler.js');
  sagemaker.on(CreateHyperParameterTuningJobCommand).resolves({ HyperParameterTuningJobArn: 'arn:tuning' });
  const outcome = await handler(
    objectCreatedEvent('alpha15-lake', 'requests/tuning/now.json'),
    lambdaContext,
  );
  assert.equal((outcome as { started: boolean }).started, true);
  assert.equal(sentRequest().HyperParameterTuningJobConfig!.ResourceLimits!.MaxNumberOfTrainingJobs, 4);
});
