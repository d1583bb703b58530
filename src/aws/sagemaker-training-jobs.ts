/**
 * The SageMaker adapter behind the retrain use case's `TrainingJobs` port (src/app/request-retrain.ts):
 * the stack's newest training jobs, and one CreateTrainingJob named by its start minute, so a redelivered event or a second one in
 * the same minute cannot create another. A missing instance quota is an outcome, not a failure: Lambda
 * retrying it could only fail the same way.
 */
import {
  CreateTrainingJobCommand,
  ListTrainingJobsCommand,
  type CreateTrainingJobCommandInput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { TrainingJobs } from '../app/request-retrain.js';
import type { JobDataRange, RetrainTrigger } from '../app/retrain-policy.js';
import { CHECKPOINT_LOCAL_PATH, encodeHyperparameters } from '../contracts/sagemaker.js';
import {
  createOnce,
  jobDefinition,
  jobHyperparameters,
  jobNameAt,
  sendToSageMaker,
  TrainingJobRejectedError,
} from './sagemaker-job.js';
import type { SageMakerJobSettings } from '../contracts/sagemaker-job-env.js';

export interface TrainingJobSettings extends SageMakerJobSettings {
  /** Where a restarted spot job finds its checkpoints, one folder per job under it. */
  checkpointPrefix: string;
}

/** The Service Quotas entry a spot training job of this instance type needs, and where to raise it. */
export function spotTrainingQuota(instanceType: string, region: string): string {
  return (
    `"${instanceType} for spot training job usage" (Service Quotas, Amazon SageMaker): ` +
    `https://${region}.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas`
  );
}

export function sageMakerTrainingJobs(
  sagemaker: SageMakerClient,
  settings: TrainingJobSettings,
): TrainingJobs {
  return {
    async recent() {
      const listed = await sendToSageMaker(() =>
        sagemaker.send(
          new ListTrainingJobsCommand({
            NameContains: settings.jobPrefix,
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
            MaxResults: 10,
          }),
        ),
      );
      return (listed.TrainingJobSummaries ?? [])
        .filter((job) => job.TrainingJobName?.startsWith(settings.jobPrefix))
        .map((job) => ({
          name: job.TrainingJobName!,
          status: job.TrainingJobStatus ?? 'Unknown',
          createdMs: job.CreationTime?.getTime() ?? 0,
        }));
    },
    async start(job, nowMs) {
      const jobName = jobNameAt(settings.jobPrefix, nowMs);
      try {
        const created = await createOnce(() =>
          sagemaker.send(new CreateTrainingJobCommand(trainingJobRequest(jobName, job, settings))),
        );
        return { status: created ? 'started' : 'exists', jobName };
      } catch (error) {
        if (!(error instanceof TrainingJobRejectedError)) throw error;
        return {
          status: 'quota-exceeded',
          jobName,
          quota: spotTrainingQuota(settings.instanceType, settings.region),
        };
      }
    },
  };
}

export function trainingJobRequest(
  jobName: string,
  job: { trigger: RetrainTrigger; data: JobDataRange },
  settings: TrainingJobSettings,
): CreateTrainingJobCommandInput {
  const hyperparameters = jobHyperparameters(jobName, settings, job.data);
  return {
    TrainingJobName: jobName,
    ...jobDefinition(settings),
    HyperParameters: encodeHyperparameters(hyperparameters),
    CheckpointConfig: {
      S3Uri: `s3://${settings.bucketName}/${settings.checkpointPrefix}${jobName}/`,
      LocalPath: CHECKPOINT_LOCAL_PATH,
    },
    Tags: [
      { Key: 'alpha15:trigger', Value: job.trigger },
      { Key: 'alpha15:toMs', Value: String(hyperparameters.toMs) },
    ],
  };
}
