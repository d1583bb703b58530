/**
 * The SageMaker adapter behind promotion's `TuningJobResults` port (src/app/promote-finished-job.ts): a
 * tuning job's best training job, as DescribeHyperParameterTuningJob names it.
 */
import { DescribeHyperParameterTuningJobCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { TuningJobResults } from '../app/promote-finished-job.js';

export function sageMakerTuningJobResults(sagemaker: SageMakerClient): TuningJobResults {
  return {
    async bestTrainingJob(tuningJobName) {
      const described = await sagemaker.send(
        new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: tuningJobName }),
      );
      return described.BestTrainingJob?.TrainingJobName;
    },
  };
}
