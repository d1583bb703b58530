/** The SageMaker adapter behind promotion's TuningJobResults port (src/aws/sagemaker-best-trial.ts). */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DescribeHyperParameterTuningJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { sageMakerTuningJobResults } from '../../src/aws/sagemaker-best-trial.js';

const sagemaker = mockClient(SageMakerClient);
afterEach(() => sagemaker.reset());

test("a tuning job's best training job, as DescribeHyperParameterTuningJob names it, or none", async () => {
  const results = sageMakerTuningJobResults(new SageMakerClient({ region: 'eu-west-1' }));
  sagemaker
    .on(DescribeHyperParameterTuningJobCommand, { HyperParameterTuningJobName: 'a15tune-20261124-1830' })
    .resolves({ BestTrainingJob: { TrainingJobName: 'a15tune-20261124-1830-007-1a2b3c4d' } as never });
  assert.equal(await results.bestTrainingJob('a15tune-20261124-1830'), 'a15tune-20261124-1830-007-1a2b3c4d');
  sagemaker.on(DescribeHyperParameterTuningJobCommand).resolves({});
  assert.equal(await results.bestTrainingJob('a15tune-20261124-1900'), undefined);
});
