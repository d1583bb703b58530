/**
 * A request object under `requests/tuning/` starts one SageMaker HyperparameterTuningJob over the
 * training container: the same search space as `alpha15 tune` (ranges mapped onto the container's
 * hyperparameters), the same objective (the container's `objective_ic` metric line, maximised), managed
 * spot, early stopping AUTO, and the last `holdoutDays` of the lookback held out so the search never
 * sees them. The request body (JSON, all fields optional) may narrow the space and the budget.
 *
 * The tuning job is named `<prefix><UTC minute>` with a prefix that is not the training jobs' one, so
 * the trials it starts (`<tuning job>-NNN-xxxxxxxx`) are not promoted one by one: the promotion step
 * takes the tuning job's best training job when the tuning job completes.
 */
import {
  CreateHyperParameterTuningJobCommand,
  type CreateHyperParameterTuningJobCommandInput,
  type ParameterRanges,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { configSchema } from '../../src/config/schema.js';
import {
  defaultSearchSpace,
  validateSearchSpace,
  type ParameterRange,
  type SearchSpace,
  type TunableParameter,
} from '../../src/tune/search-space.js';
import type { TuningRequest } from '../../src/tune/tuning-request.js';
import { TUNING_OBJECTIVE_METRIC } from '../../src/contracts/metrics.js';
import { encodeHyperparameters, TUNABLE_HYPERPARAMETERS } from '../../src/contracts/sagemaker.js';
import { createOnce, jobDefinition, jobHyperparameters, jobNameAt } from '../shared/sagemaker-job.js';
import type { SageMakerJobSettings } from '../../src/contracts/sagemaker-job-env.js';

export interface TuningJobSettings extends SageMakerJobSettings {
  /** The newest days of the lookback, never seen by the search (the test period). */
  holdoutDays: number;
  maxJobs: number;
  maxParallelJobs: number;
  walkForwardFolds: number;
}

export type TuningOutcome =
  { started: true; tuningJobName: string } | { started: false; reason: 'already-started'; detail: string };

export async function startTuning(
  request: TuningRequest,
  nowMs: number,
  deps: { sagemaker: SageMakerClient; settings: TuningJobSettings },
): Promise<TuningOutcome> {
  const name = jobNameAt(deps.settings.jobPrefix, nowMs);
  const created = await createOnce(() =>
    deps.sagemaker.send(
      new CreateHyperParameterTuningJobCommand(tuningJobRequest(name, request, nowMs, deps.settings)),
    ),
  );
  if (!created) return { started: false, reason: 'already-started', detail: name };
  return { started: true, tuningJobName: name };
}

export function tuningJobRequest(
  name: string,
  request: TuningRequest,
  nowMs: number,
  settings: TuningJobSettings,
): CreateHyperParameterTuningJobCommandInput {
  const base = configSchema.parse({ symbols: [...settings.symbols] });
  const space =
    request.space === undefined
      ? defaultSearchSpace(base)
      : validateSearchSpace(request.space, base, 'the tuning request');
  // the search never sees the newest holdoutDays: they stay the honest test period
  const staticHyperparameters = {
    ...jobHyperparameters(name, settings, nowMs, settings.holdoutDays),
    walkForwardFolds: settings.walkForwardFolds,
    epochs: request.epochs,
  };
  return {
    HyperParameterTuningJobName: name,
    HyperParameterTuningJobConfig: {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: TUNING_OBJECTIVE_METRIC },
      ResourceLimits: {
        MaxNumberOfTrainingJobs: request.maxJobs ?? settings.maxJobs,
        MaxParallelTrainingJobs: request.maxParallelJobs ?? settings.maxParallelJobs,
      },
      ParameterRanges: parameterRanges(space),
      TrainingJobEarlyStoppingType: 'Auto',
    },
    TrainingJobDefinition: {
      ...jobDefinition(settings),
      StaticHyperParameters: encodeHyperparameters(staticHyperparameters),
      // no CheckpointConfig: parallel trials would share its S3 prefix; a reclaimed spot trial starts over
    },
    Tags: [{ Key: 'alpha15:toMs', Value: String(staticHyperparameters.toMs) }],
  };
}

/** The search space as SageMaker ranges over the container's hyperparameter names. */
export function parameterRanges(space: SearchSpace): ParameterRanges {
  const ranges: Required<
    Pick<
      ParameterRanges,
      'IntegerParameterRanges' | 'ContinuousParameterRanges' | 'CategoricalParameterRanges'
    >
  > = {
    IntegerParameterRanges: [],
    ContinuousParameterRanges: [],
    CategoricalParameterRanges: [],
  };
  for (const [path, range] of Object.entries(space) as [TunableParameter, ParameterRange][]) {
    const Name = TUNABLE_HYPERPARAMETERS[path];
    if (range.type === 'choice')
      ranges.CategoricalParameterRanges.push({ Name, Values: range.values.map(String) });
    else if (range.type === 'int' && range.step === 1)
      ranges.IntegerParameterRanges.push({
        Name,
        MinValue: String(range.low),
        MaxValue: String(range.high),
        ScalingType: 'Linear',
      });
    else if (range.type === 'int') {
      // SageMaker integer ranges have no step: a stepped range becomes the list of its values
      const values = Array.from({ length: Math.floor((range.high - range.low) / range.step) + 1 }, (_, at) =>
        String(range.low + at * range.step),
      );
      ranges.CategoricalParameterRanges.push({ Name, Values: values });
    } else {
      ranges.ContinuousParameterRanges.push({
        Name,
        MinValue: String(range.low),
        MaxValue: String(range.high),
        ScalingType: range.type === 'log-float' ? 'Logarithmic' : 'Linear',
      });
    }
  }
  return ranges;
}
