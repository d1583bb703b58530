/**
 * What the SageMaker adapters of training jobs and tuning jobs share (the settings every SageMaker job
 * of the stack is built from are src/contracts/sagemaker-job-env.ts): the part of the job definition
 * that is the same for a training job and a tuning job's trials, the hyperparameters every job carries,
 * the minute-stamped job name, and the calls that turn SageMaker's refusals into outcomes and typed
 * errors. When to start a job, and on which data, are the use cases' rules (src/app).
 */
import type {
  CreateTrainingJobCommandInput,
  HyperParameterTrainingJobDefinition,
} from '@aws-sdk/client-sagemaker';
import { Alpha15Error } from '../errors.js';
import type { JobDataRange } from '../app/retrain-policy.js';
import { floorToMinute } from '../time.js';
import { AWS_REGION_ENV_VARIABLE } from '../contracts/environment.js';
import type { TrainingHyperparameters } from '../contracts/sagemaker.js';
import type { SageMakerJobSettings } from '../contracts/sagemaker-job-env.js';

/** The fields a CreateTrainingJob request and a tuning job's trial definition spell alike. */
type SharedDefinitionField =
  | 'AlgorithmSpecification'
  | 'RoleArn'
  | 'Environment'
  | 'OutputDataConfig'
  | 'ResourceConfig'
  | 'EnableManagedSpotTraining'
  | 'StoppingCondition';

/** Image, role, region, output, instance and managed spot: the same for a training job and a trial. */
export function jobDefinition(
  settings: SageMakerJobSettings,
): Pick<CreateTrainingJobCommandInput, SharedDefinitionField> &
  Pick<HyperParameterTrainingJobDefinition, SharedDefinitionField> {
  return {
    AlgorithmSpecification: {
      TrainingImage: settings.imageUri,
      TrainingInputMode: 'File',
      MetricDefinitions: settings.metricDefinitions,
    },
    RoleArn: settings.jobRoleArn,
    // the job's S3 client reads the region from here; without one it would fall back to us-east-1
    Environment: { [AWS_REGION_ENV_VARIABLE]: settings.region, AWS_DEFAULT_REGION: settings.region },
    // no input channel: the job reads the lake through the store (S3), the same code path as the CLI
    OutputDataConfig: { S3OutputPath: `s3://${settings.bucketName}/${settings.outputPrefix}` },
    ResourceConfig: {
      InstanceType: settings.instanceType as never,
      InstanceCount: 1,
      VolumeSizeInGB: settings.volumeSizeGb,
    },
    EnableManagedSpotTraining: true,
    StoppingCondition: {
      MaxRuntimeInSeconds: settings.maxRuntimeSeconds,
      MaxWaitTimeInSeconds: settings.maxWaitSeconds,
    },
  };
}

/** The hyperparameters every job carries: its name, the store, the universe and the data range. */
export function jobHyperparameters(
  jobName: string,
  settings: SageMakerJobSettings,
  data: JobDataRange,
): TrainingHyperparameters & JobDataRange {
  return {
    jobName,
    store: settings.storeUrl,
    symbols: settings.symbols.join(','),
    fromMs: data.fromMs,
    toMs: data.toMs,
  };
}

/**
 * `alpha15-20261124-1830`: job names sort by start time and one minute can hold only one job (21
 * characters with the tuning prefix: SageMaker allows tuning job names of at most 32).
 */
export function jobNameAt(prefix: string, nowMs: number): string {
  const stamp = new Date(floorToMinute(nowMs))
    .toISOString()
    .slice(0, 16)
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${prefix}${stamp}`;
}

/** SageMaker throttled us; the invocation fails so EventBridge delivers the event again later. */
export class SageMakerThrottledError extends Alpha15Error {
  readonly code = 'SAGE_MAKER_THROTTLED';
  constructor(cause: unknown) {
    super('SageMaker throttled the trigger', 'nothing to do: EventBridge retries the event with backoff', {
      cause,
    });
  }
}

export class TrainingJobRejectedError extends Alpha15Error {
  readonly code = 'TRAINING_JOB_REJECTED';
}

/** One SageMaker call, with throttling and a missing quota turned into typed errors. */
export async function sendToSageMaker<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = errorName(error);
    if (name === 'ThrottlingException' || name === 'Throttling' || name === 'TooManyRequestsException')
      throw new SageMakerThrottledError(error);
    if (name === 'ResourceLimitExceeded') {
      throw new TrainingJobRejectedError(
        'SageMaker refused the job: the account has no quota for this instance type (spot training)',
        'request a quota increase for the spot training instance type, or set alpha15:trainingInstanceType',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Creates the job named by its minute; `false` when SageMaker already has a job of that name (a
 * redelivered event, or a second event in the same minute), so the trigger creates no other.
 */
export async function createOnce(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await sendToSageMaker(create);
    return true;
  } catch (error) {
    if (errorName(error) === 'ResourceInUse') return false;
    throw error;
  }
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}
