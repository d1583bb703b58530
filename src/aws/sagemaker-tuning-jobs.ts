/**
 * The SageMaker adapter behind the tuning use case's `TuningJobs` port (src/app/start-tuning.ts): one
 * HyperparameterTuningJob over the training container, with the plan's ranges mapped onto the
 * container's hyperparameters, its objective the container's `objective_ic` metric line (maximised),
 * managed spot and early stopping AUTO.
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
import type { TuningJobPlan, TuningJobs } from '../app/start-tuning.js';
import type { ParameterRange, SearchSpace, TunableParameter } from '../tune/search-space.js';
import { TUNING_OBJECTIVE_METRIC } from '../contracts/metrics.js';
import { encodeHyperparameters, TUNABLE_HYPERPARAMETERS } from '../contracts/sagemaker.js';
import { createOnce, jobDefinition, jobHyperparameters, jobNameAt } from './sagemaker-job.js';
import type { SageMakerJobSettings } from '../contracts/sagemaker-job-env.js';

export function sageMakerTuningJobs(sagemaker: SageMakerClient, settings: SageMakerJobSettings): TuningJobs {
  return {
    async start(plan, nowMs) {
      const name = jobNameAt(settings.jobPrefix, nowMs);
      const created = await createOnce(() =>
        sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJobRequest(name, plan, settings))),
      );
      return { created, name };
    },
  };
}

export function tuningJobRequest(
  name: string,
  plan: TuningJobPlan,
  settings: SageMakerJobSettings,
): CreateHyperParameterTuningJobCommandInput {
  const staticHyperparameters = {
    ...jobHyperparameters(name, settings, plan.data),
    walkForwardFolds: plan.walkForwardFolds,
    epochs: plan.epochs,
  };
  return {
    HyperParameterTuningJobName: name,
    HyperParameterTuningJobConfig: {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: TUNING_OBJECTIVE_METRIC },
      ResourceLimits: {
        MaxNumberOfTrainingJobs: plan.maxJobs,
        MaxParallelTrainingJobs: plan.maxParallelJobs,
      },
      ParameterRanges: parameterRanges(plan.space),
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
