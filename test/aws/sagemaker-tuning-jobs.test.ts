/**
 * The SageMaker adapter behind the tuning use case's TuningJobs port (src/aws/sagemaker-tuning-jobs.ts),
 * driven through the use case as the deployed handler drives it: the CreateHyperParameterTuningJob
 * request, and every trial's hyperparameters as the container parses them.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  CreateHyperParameterTuningJobCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { MINUTE_MS } from '../../src/time.js';
import {
  formatMetricLine,
  TRAINING_METRIC_DEFINITIONS,
  TUNING_OBJECTIVE_METRIC,
} from '../../src/contracts/metrics.js';
import { parseHyperparameters } from '../../src/contracts/sagemaker.js';
import { parseTuningRequest } from '../../src/tune/tuning-request.js';
import { startTuning } from '../../src/app/start-tuning.js';
import { sageMakerTuningJobs } from '../../src/aws/sagemaker-tuning-jobs.js';
import { TUNING_JOB_SETTINGS } from '../lambdas/support/sagemaker-job.js';

const NOW_MS = Date.parse('2026-11-24T18:30:20Z');
const DAY_MS = 1440 * MINUTE_MS;
const settings = TUNING_JOB_SETTINGS;

const sagemaker = mockClient(SageMakerClient);
beforeEach(() => sagemaker.reset());
afterEach(() => sagemaker.reset());

/** The use case over the SageMaker adapter, as the deployed handler composes them. */
const deps = () => ({ jobs: sageMakerTuningJobs(sagemaker as never, settings), settings });

function sentRequest() {
  const calls = sagemaker.commandCalls(CreateHyperParameterTuningJobCommand);
  assert.equal(calls.length, 1);
  return calls[0]!.args[0].input;
}

test('a tuning request starts one Bayesian tuning job maximising the metric the container prints, on spot, with early stopping AUTO', async () => {
  sagemaker.on(CreateHyperParameterTuningJobCommand).resolves({ HyperParameterTuningJobArn: 'arn:tuning' });
  const outcome = await startTuning({}, NOW_MS, deps());
  assert.deepEqual(outcome, { started: true, tuningJobName: 'a15tune-20261124-1830' });
  const request = sentRequest();
  assert.ok(request.HyperParameterTuningJobName!.length <= 32, 'SageMaker caps tuning job names at 32');
  const config = request.HyperParameterTuningJobConfig!;
  assert.deepEqual(config.HyperParameterTuningJobObjective, { Type: 'Maximize', MetricName: 'objective_ic' });
  assert.equal(config.TrainingJobEarlyStoppingType, 'Auto');
  assert.deepEqual(config.ResourceLimits, { MaxNumberOfTrainingJobs: 20, MaxParallelTrainingJobs: 2 });
  const definition = request.TrainingJobDefinition!;
  assert.equal(definition.EnableManagedSpotTraining, true);
  // every trial's S3 client signs for the bucket's region, not the SDK's us-east-1 fallback (issue 12)
  assert.deepEqual(definition.Environment, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' });
  assert.deepEqual(definition.AlgorithmSpecification?.MetricDefinitions, TRAINING_METRIC_DEFINITIONS);

  // the objective's regex captures the value from the very line the container writes
  const objective = definition.AlgorithmSpecification!.MetricDefinitions!.find(
    (metric) => metric.Name === config.HyperParameterTuningJobObjective!.MetricName,
  )!;
  const line = formatMetricLine(TUNING_OBJECTIVE_METRIC, -0.0123)!;
  assert.equal(Number(new RegExp(objective.Regex!).exec(line)?.[1]), -0.0123);

  // every trial's hyperparameters (static + one value per range + SageMaker's own) pass the container's parser
  const ranges = config.ParameterRanges!;
  const trial: Record<string, string> = {
    ...definition.StaticHyperParameters,
    _tuning_objective_metric: 'objective_ic',
  };
  for (const range of ranges.IntegerParameterRanges!) trial[range.Name!] = range.MinValue!;
  for (const range of ranges.ContinuousParameterRanges!) trial[range.Name!] = range.MaxValue!;
  for (const range of ranges.CategoricalParameterRanges!) trial[range.Name!] = range.Values!.at(-1)!;
  const parsed = parseHyperparameters(trial);
  assert.equal(parsed.walkForwardFolds, 3);
  assert.equal(parsed.toMs! - parsed.fromMs!, (90 - 14) * DAY_MS, 'the newest 14 days are held out');
  assert.equal(parsed.toMs, Date.parse('2026-11-24T18:30:00Z') - 14 * DAY_MS);
  assert.deepEqual(
    ranges.ContinuousParameterRanges!.map((range) => [range.Name, range.ScalingType]),
    [['learningRate', 'Logarithmic']],
  );
  assert.ok(ranges.IntegerParameterRanges!.some((range) => range.Name === 'windowMinutes'));
});

test('a request narrows the space and the budget; a stepped int range becomes its list of values', async () => {
  sagemaker.on(CreateHyperParameterTuningJobCommand).resolves({});
  const body = JSON.stringify({
    maxJobs: 6,
    epochs: 4,
    space: { 'model.filters': { type: 'int', low: 16, high: 64, step: 16 } },
  });
  const request = parseTuningRequest('requests/tuning/x.json', new TextEncoder().encode(body));
  await startTuning(request, NOW_MS, deps());
  const sent = sentRequest();
  assert.equal(sent.HyperParameterTuningJobConfig!.ResourceLimits!.MaxNumberOfTrainingJobs, 6);
  assert.equal(sent.TrainingJobDefinition!.StaticHyperParameters!.epochs, '4');
  assert.deepEqual(sent.HyperParameterTuningJobConfig!.ParameterRanges, {
    IntegerParameterRanges: [],
    ContinuousParameterRanges: [],
    CategoricalParameterRanges: [{ Name: 'filters', Values: ['16', '32', '48', '64'] }],
  });
});

test('a second request in the same minute finds its tuning job already created and starts nothing', async () => {
  sagemaker
    .on(CreateHyperParameterTuningJobCommand)
    .rejects(new SageMakerServiceException({ name: 'ResourceInUse', $fault: 'client', $metadata: {} }));
  assert.deepEqual(await startTuning({}, NOW_MS, deps()), {
    started: false,
    reason: 'already-started',
    detail: 'a15tune-20261124-1830',
  });
});
