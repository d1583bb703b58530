/**
 * The SageMaker adapter behind the retrain use case's TrainingJobs port (src/aws/sagemaker-training-jobs.ts):
 * the request CreateTrainingJob receives, and SageMaker's refusals as outcomes or typed errors. The
 * rule it serves is tested in test/app/request-retrain, the handler in test/lambdas/training-trigger.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  CreateTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { TRAINING_METRIC_DEFINITIONS } from '../../src/contracts/metrics.js';
import { parseHyperparameters } from '../../src/contracts/sagemaker.js';
import { jobDataRange } from '../../src/app/retrain-policy.js';
import { SageMakerThrottledError } from '../../src/aws/sagemaker-job.js';
import { sageMakerTrainingJobs, type TrainingJobSettings } from '../../src/aws/sagemaker-training-jobs.js';
import { JOB_SETTINGS, listedJobs } from '../lambdas/support/sagemaker-job.js';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse('2026-11-24T18:30:20Z');
const settings: TrainingJobSettings = {
  ...JOB_SETTINGS,
  jobPrefix: 'alpha15-',
  checkpointPrefix: 'sagemaker/checkpoints/',
};
/** A job on the lookback ending now, as the retrain use case asks for one. */
const job = (trigger: 'request' | 'new-data') => ({
  trigger,
  data: jobDataRange(NOW_MS, JOB_SETTINGS.lookbackDays),
});

const sagemaker = mockClient(SageMakerClient);
beforeEach(() => sagemaker.reset());
afterEach(() => sagemaker.reset());

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
  assert.deepEqual(await runner().start(job('new-data'), NOW_MS), {
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
      listedJobs(
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
  const result = await runner().start(job('request'), NOW_MS);
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
    runner().start(job('request'), NOW_MS),
    (error: unknown) =>
      error instanceof SageMakerThrottledError && /EventBridge retries/.test(error.hint ?? ''),
  );
});

test('a redelivered event in the same minute finds its job already created and creates no other', async () => {
  sagemaker.on(CreateTrainingJobCommand).rejects(sageMakerError('ResourceInUse', 'exists'));
  assert.deepEqual(await runner().start(job('request'), NOW_MS), {
    status: 'exists',
    jobName: 'alpha15-20261124-1830',
  });
});
