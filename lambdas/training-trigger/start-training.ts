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
import { CHECKPOINT_LOCAL_PATH, encodeHyperparameters } from '../../src/contracts/sagemaker.js';
import {
  createOnce,
  jobDefinition,
  jobHyperparameters,
  jobNameAt,
  sendToSageMaker,
} from '../shared/sagemaker-job.js';
import type { SageMakerJobSettings } from '../../src/contracts/sagemaker-job-env.js';

export interface TrainingJobSettings extends SageMakerJobSettings {
  retrainMinIntervalMs: number;
  curatedPrefix: string;
  requestPrefix: string;
  checkpointPrefix: string;
}

export type TriggerKind = 'request' | 'curated-data';

export type TriggerOutcome =
  | { started: true; jobName: string; trigger: TriggerKind }
  | {
      started: false;
      reason: 'not-a-trigger' | 'job-in-progress' | 'too-soon' | 'already-started';
      detail: string;
    };

export function classifyKey(
  key: string,
  settings: Pick<TrainingJobSettings, 'curatedPrefix' | 'requestPrefix'>,
): TriggerKind | undefined {
  if (key.startsWith(settings.requestPrefix)) return 'request';
  if (key.startsWith(settings.curatedPrefix)) return 'curated-data';
  return undefined;
}

export async function startTrainingIfIdle(
  key: string,
  nowMs: number,
  deps: { sagemaker: SageMakerClient; settings: TrainingJobSettings },
): Promise<TriggerOutcome> {
  const { sagemaker, settings } = deps;
  const trigger = classifyKey(key, settings);
  if (trigger === undefined) return { started: false, reason: 'not-a-trigger', detail: key };

  const recent = await sendToSageMaker(() =>
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

  const jobName = jobNameAt(settings.jobPrefix, nowMs);
  const created = await createOnce(() =>
    sagemaker.send(new CreateTrainingJobCommand(trainingJobRequest(jobName, trigger, nowMs, settings))),
  );
  if (!created) return { started: false, reason: 'already-started', detail: jobName };
  return { started: true, jobName, trigger };
}

export function trainingJobRequest(
  jobName: string,
  trigger: TriggerKind,
  nowMs: number,
  settings: TrainingJobSettings,
): CreateTrainingJobCommandInput {
  const hyperparameters = jobHyperparameters(jobName, settings, nowMs);
  return {
    TrainingJobName: jobName,
    ...jobDefinition(settings),
    HyperParameters: encodeHyperparameters(hyperparameters),
    CheckpointConfig: {
      S3Uri: `s3://${settings.bucketName}/${settings.checkpointPrefix}${jobName}/`,
      LocalPath: CHECKPOINT_LOCAL_PATH,
    },
    Tags: [
      { Key: 'alpha15:trigger', Value: trigger },
      { Key: 'alpha15:toMs', Value: String(hyperparameters.toMs) },
    ],
  };
}

function newest(jobs: TrainingJobSummary[]): TrainingJobSummary | undefined {
  return jobs.reduce<TrainingJobSummary | undefined>(
    (best, job) => ((job.CreationTime?.getTime() ?? 0) > (best?.CreationTime?.getTime() ?? -1) ? job : best),
    undefined,
  );
}
