/**
 * The job settings the SageMaker adapters' and both triggers' tests start from, the environment their
 * deployed handlers read, and ListTrainingJobs answers.
 */
import type { TrainingJobStatus } from '@aws-sdk/client-sagemaker';
import type { TuningSettings } from '../../../src/app/start-tuning.js';
import { TRAINING_METRIC_DEFINITIONS } from '../../../src/contracts/metrics.js';
import {
  sageMakerJobEnvironment,
  type SageMakerJobSettings,
} from '../../../src/contracts/sagemaker-job-env.js';

export const JOB_SETTINGS: Omit<SageMakerJobSettings, 'jobPrefix'> = {
  bucketName: 'alpha15-lake',
  storeUrl: 's3://alpha15-lake',
  symbols: ['BTCUSDT', 'ETHUSDT'],
  jobRoleArn: 'arn:aws:iam::123456789012:role/alpha15-job',
  imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpha15:latest',
  instanceType: 'ml.g4dn.xlarge',
  volumeSizeGb: 30,
  maxRuntimeSeconds: 4 * 3600,
  maxWaitSeconds: 8 * 3600,
  lookbackDays: 90,
  outputPrefix: 'sagemaker/output/',
  metricDefinitions: TRAINING_METRIC_DEFINITIONS,
  region: 'eu-west-1',
};

/** The tuning trigger's settings: a GPU instance, the newest 14 days held out, the deployed budget. */
export const TUNING_JOB_SETTINGS: SageMakerJobSettings & TuningSettings = {
  ...JOB_SETTINGS,
  instanceType: 'ml.g5.xlarge',
  holdoutDays: 14,
  maxJobs: 20,
  maxParallelJobs: 2,
  walkForwardFolds: 3,
  jobPrefix: 'a15tune-',
};

/** A ListTrainingJobs answer holding these jobs. */
export function listedJobs(...list: { name: string; status: TrainingJobStatus; startedMs: number }[]) {
  return {
    TrainingJobSummaries: list.map((job) => ({
      TrainingJobName: job.name,
      TrainingJobArn: `arn:aws:sagemaker:eu-west-1:123456789012:training-job/${job.name}`,
      TrainingJobStatus: job.status,
      CreationTime: new Date(job.startedMs),
    })),
  };
}

/**
 * What a handler module reads at import: the variables its construct sets (the shared job settings and
 * the trigger's own), the runtime's region, and Powertools kept quiet.
 */
export function setHandlerEnvironment(settings: SageMakerJobSettings, own: Record<string, string>): void {
  Object.assign(process.env, {
    ...sageMakerJobEnvironment(settings),
    ...own,
    AWS_REGION: settings.region,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
}
