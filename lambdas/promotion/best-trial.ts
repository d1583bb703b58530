/**
 * A finished tuning job hands promotion its best training job, as if that job had just completed on
 * its own: the same record lookup, evidence and champion rule (src/app/promote-finished-job.ts) decide.
 */
import { DescribeHyperParameterTuningJobCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { TrainingJobStateChange, TuningJobStateChange } from '../shared/events.js';

export async function bestTrialAsJobChange(
  change: TuningJobStateChange,
  sagemaker: SageMakerClient,
): Promise<TrainingJobStateChange | { skipped: string }> {
  const { HyperParameterTuningJobName: name, HyperParameterTuningJobStatus: status } = change.detail;
  if (status !== 'Completed') return { skipped: `tuning job ${name} is ${status}` };
  const described = await sagemaker.send(
    new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }),
  );
  const best = described.BestTrainingJob;
  if (best?.TrainingJobName === undefined) return { skipped: `tuning job ${name} has no best training job` };
  return {
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    time: change.time,
    detail: { TrainingJobName: best.TrainingJobName, TrainingJobStatus: 'Completed' },
  };
}
