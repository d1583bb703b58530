import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DescribeHyperParameterTuningJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { bestTrialAsJobChange } from '../../lambdas/promotion/best-trial.js';
import {
  parseEvent,
  trainingJobStateChangeSchema,
  tuningJobStateChangeSchema,
} from '../../lambdas/shared/events.js';

const sagemaker = mockClient(SageMakerClient);
afterEach(() => sagemaker.reset());

const tuningEvent = (status: string) =>
  parseEvent(
    tuningJobStateChangeSchema,
    {
      version: '0',
      'detail-type': 'SageMaker HyperParameter Tuning Job State Change',
      source: 'aws.sagemaker',
      time: '2026-11-25T02:00:00Z',
      detail: { HyperParameterTuningJobName: 'a15tune-20261124-1830', HyperParameterTuningJobStatus: status },
    },
    'a tuning job state change',
  );

test("a completed tuning job becomes its best training job's completion, the event promotion already handles", async () => {
  sagemaker
    .on(DescribeHyperParameterTuningJobCommand, { HyperParameterTuningJobName: 'a15tune-20261124-1830' })
    .resolves({ BestTrainingJob: { TrainingJobName: 'a15tune-20261124-1830-007-1a2b3c4d' } as never });
  const change = await bestTrialAsJobChange(tuningEvent('Completed'), sagemaker as never);
  assert.ok(!('skipped' in change));
  assert.deepEqual(parseEvent(trainingJobStateChangeSchema, change, 'a training job change').detail, {
    TrainingJobName: 'a15tune-20261124-1830-007-1a2b3c4d',
    TrainingJobStatus: 'Completed',
  });
});

test('a tuning job that is not completed, or has no best trial, yields no candidate', async () => {
  assert.deepEqual(await bestTrialAsJobChange(tuningEvent('Stopped'), sagemaker as never), {
    skipped: 'tuning job a15tune-20261124-1830 is Stopped',
  });
  assert.equal(sagemaker.commandCalls(DescribeHyperParameterTuningJobCommand).length, 0);
  sagemaker.on(DescribeHyperParameterTuningJobCommand).resolves({});
  assert.match(
    ((await bestTrialAsJobChange(tuningEvent('Completed'), sagemaker as never)) as { skipped: string })
      .skipped,
    /no best training job/,
  );
});
