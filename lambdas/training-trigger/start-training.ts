/**
 * Decides whether an S3 object starts a retrain and, if so, starts exactly one SageMaker training job.
 *
 * - A key under the request prefix always asks for a retrain; a key under the curated prefix (new lake
 *   data, several per ingestion run) does so at most once per `retrainMinIntervalMs`.
 * - Never two jobs at once: any alpha15 job InProgress means no new one. The function runs with
 *   reserved concurrency 1, so this check and the create cannot interleave with another invocation;
 *   the job name is the start minute, so even a retried event cannot create a second job that minute.
 */
import {
  CreateTrainingJobCommand,
  ListTrainingJobsCommand,
  type CreateTrainingJobCommandInput,
  type SageMakerClient,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { Alpha15Error } from '../../src/errors.js';
import { MINUTE_MS, floorToMinute } from '../../src/time.js';
import type { MetricDefinition } from '../../src/contracts/metrics.js';
import {
  CHECKPOINT_LOCAL_PATH,
  encodeHyperparameters,
  type TrainingHyperparameters,
} from '../../src/contracts/sagemaker.js';

export interface TrainingJobSettings {
  bucketName: string;
  storeUrl: string;
  symbols: readonly string[];
  jobRoleArn: string;
  imageUri: string;
  instanceType: string;
  volumeSizeGb: number;
  maxRuntimeSeconds: number;
  maxWaitSeconds: number;
  retrainMinIntervalMs: number;
  lookbackDays: number;
  jobPrefix: string;
  curatedPrefix: string;
  requestPrefix: string;
  outputPrefix: string;
  checkpointPrefix: string;
  metricDefinitions: MetricDefinition[];
  /** The region of the bucket and the job, passed into the job's environment. */
  region: string;
}

export type TriggerKind = 'request' | 'curated-data';

export type TriggerOutcome =
  | { started: true; jobName: string; trigger: TriggerKind }
  | {
      started: false;
      reason: 'not-a-trigger' | 'job-in-progress' | 'too-soon' | 'already-started';
      detail: string;
    };

/** SageMaker throttled us; the invocation fails so EventBridge delivers the event again later. */
export class SageMakerThrottledError extends Alpha15Error {
  readonly code = 'SAGE_MAKER_THROTTLED';
  constructor(cause: unknown) {
    super(
      'SageMaker throttled the training trigger',
      'nothing to do: EventBridge retries the event with backoff',
      { cause },
    );
  }
}

export class TrainingJobRejectedError extends Alpha15Error {
  readonly code = 'TRAINING_JOB_REJECTED';
}

export function classifyKey(
  key: string,
  settings: Pick<TrainingJobSettings, 'curatedPrefix' | 'requestPrefix'>,
): TriggerKind | undefined {
  if (key.startsWith(settings.requestPrefix)) return 'request';
  if (key.startsWith(settings.curatedPrefix)) return 'curated-data';
  return undefined;
}

/** `alpha15-20261124-1830`: job names sort by start time and one minute can hold only one job. */
export function trainingJobName(prefix: string, nowMs: number): string {
  const stamp = new Date(floorToMinute(nowMs))
    .toISOString()
    .slice(0, 16)
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${prefix}${stamp}`;
}

export async function startTrainingIfIdle(
  key: string,
  nowMs: number,
  deps: { sagemaker: SageMakerClient; settings: TrainingJobSettings },
): Promise<TriggerOutcome> {
  const { sagemaker, settings } = deps;
  const trigger = classifyKey(key, settings);
  if (trigger === undefined) return { started: false, reason: 'not-a-trigger', detail: key };

  const recent = await send(() =>
    sagemaker.send(
      new ListTrainingJobsCommand({
        NameContains: settings.jobPrefix,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 10,
      }),
    ),
  );
  const jobs = (recent.TrainingJobSummaries ?? []).filter((job) =>
    job.TrainingJobName?.startsWith(settings.jobPrefix),
  );
  const running = jobs.find(
    (job) => job.TrainingJobStatus === 'InProgress' || job.TrainingJobStatus === 'Stopping',
  );
  if (running) return { started: false, reason: 'job-in-progress', detail: running.TrainingJobName ?? '' };
  const latest = newest(jobs);
  if (
    trigger === 'curated-data' &&
    latest?.CreationTime &&
    nowMs - latest.CreationTime.getTime() < settings.retrainMinIntervalMs
  ) {
    return {
      started: false,
      reason: 'too-soon',
      detail: `${latest.TrainingJobName} started ${latest.CreationTime.toISOString()}`,
    };
  }

  const jobName = trainingJobName(settings.jobPrefix, nowMs);
  try {
    await send(() =>
      sagemaker.send(new CreateTrainingJobCommand(trainingJobRequest(jobName, trigger, nowMs, settings))),
    );
  } catch (error) {
    if (errorName(error) === 'ResourceInUse')
      return { started: false, reason: 'already-started', detail: jobName };
    throw error;
  }
  return { started: true, jobName, trigger };
}

export function trainingJobRequest(
  jobName: string,
  trigger: TriggerKind,
  nowMs: number,
  settings: TrainingJobSettings,
): CreateTrainingJobCommandInput {
  const dataToMs = floorToMinute(nowMs);
  const hyperparameters: TrainingHyperparameters = {
    jobName,
    store: settings.storeUrl,
    symbols: settings.symbols.join(','),
    fromMs: dataToMs - settings.lookbackDays * 1440 * MINUTE_MS,
    toMs: dataToMs,
  };
  return {
    TrainingJobName: jobName,
    RoleArn: settings.jobRoleArn,
    AlgorithmSpecification: {
      TrainingImage: settings.imageUri,
      TrainingInputMode: 'File',
      MetricDefinitions: settings.metricDefinitions,
    },
    // no input channel: the job reads the lake through the store (S3), the same code path as the CLI
    HyperParameters: encodeHyperparameters(hyperparameters),
    // the store's S3 client reads the region from here; without one it would fall back to us-east-1
    Environment: { AWS_REGION: settings.region, AWS_DEFAULT_REGION: settings.region },
    OutputDataConfig: { S3OutputPath: `s3://${settings.bucketName}/${settings.outputPrefix}` },
    ResourceConfig: {
      InstanceType: settings.instanceType as never,
      InstanceCount: 1,
      VolumeSizeInGB: settings.volumeSizeGb,
    },
    EnableManagedSpotTraining: true,
    CheckpointConfig: {
      S3Uri: `s3://${settings.bucketName}/${settings.checkpointPrefix}${jobName}/`,
      LocalPath: CHECKPOINT_LOCAL_PATH,
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: settings.maxRuntimeSeconds,
      MaxWaitTimeInSeconds: settings.maxWaitSeconds,
    },
    Tags: [
      { Key: 'alpha15:trigger', Value: trigger },
      { Key: 'alpha15:toMs', Value: String(dataToMs) },
    ],
  };
}

function newest(jobs: TrainingJobSummary[]): TrainingJobSummary | undefined {
  return jobs.reduce<TrainingJobSummary | undefined>(
    (best, job) => ((job.CreationTime?.getTime() ?? 0) > (best?.CreationTime?.getTime() ?? -1) ? job : best),
    undefined,
  );
}

async function send<T>(call: () => Promise<T>): Promise<T> {
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

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}
