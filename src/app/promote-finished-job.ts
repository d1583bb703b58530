/**
 * The promotion step after a training job ends, the promotion Lambda's use case: a failed or stopped
 * job is recorded and never promoted; a completed one is looked up (job → model), its evaluation read,
 * and the champion pointer moved only when `decidePromotion` says the candidate is better on the same
 * validation window. Every decision is written to `models/promotions/<job>.json`; every promotion also
 * to the champion history. The candidate's files are checked against their digests before the pointer
 * moves (setChampion), and the current champion's weights against the digest its pointer carries
 * (promoteCandidate). A finished tuning job hands promotion its best training job, as if that job had
 * just completed on its own (`promoteBestTrial`): the same lookup, evidence and champion rule decide.
 */
import { Alpha15Error } from '../errors.js';
import { parseJson } from '../model/model-io.js';
import {
  evaluationSchema,
  EVALUATION_FILE,
  promoteCandidate,
  promotionRecordKey,
  trainingJobRecordKey,
  trainingJobRecordSchema,
  type PromotionDecision,
} from './evaluate-and-promote.js';
import { getModelFile } from '../model/registry.js';
import type { ObjectStore } from '../store/object-store.js';

/** A SageMaker training job's state, as its state-change event reports it. */
export interface TrainingJobState {
  jobName: string;
  status: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  failureReason?: string;
}

/** A completed job left no record of its model: the container did not finish its contract. */
export class CandidateRecordMissingError extends Alpha15Error {
  readonly code = 'CANDIDATE_RECORD_MISSING';
}

export type PromotionOutcome =
  | {
      jobName: string;
      status: 'Failed' | 'Stopped';
      promoted: false;
      reason: 'job-failed' | 'job-stopped';
      detail: string;
    }
  | ({ jobName: string; status: 'Completed'; modelId: string; promoted: boolean } & PromotionDecision)
  | {
      jobName: string;
      status: 'InProgress' | 'Stopping';
      promoted: false;
      reason: 'not-final';
      detail: string;
    };

/** A SageMaker tuning job's state, as its state-change event reports it. */
export interface TuningJobState {
  tuningJobName: string;
  status: string;
}

/** Where a tuning job's trials are kept: the port to SageMaker (src/aws/sagemaker-best-trial.ts). */
export interface TuningJobResults {
  /** The name of the tuning job's best training job, undefined when it has none. */
  bestTrainingJob(tuningJobName: string): Promise<string | undefined>;
}

export type BestTrialOutcome =
  | (PromotionOutcome & { tuningJobName: string })
  | { tuningJobName: string; promoted: false; reason: 'no-candidate'; detail: string };

/** Only a completed tuning job with a best trial hands one on; that trial is promoted like any finished job. */
export async function promoteBestTrial(
  tuning: TuningJobState,
  deps: { store: ObjectStore; nowMs: number; results: TuningJobResults },
): Promise<BestTrialOutcome> {
  const { tuningJobName, status } = tuning;
  const noCandidate = (detail: string) =>
    ({ tuningJobName, promoted: false, reason: 'no-candidate', detail }) as const;
  if (status !== 'Completed') return noCandidate(`tuning job ${tuningJobName} is ${status}`);
  const best = await deps.results.bestTrainingJob(tuningJobName);
  if (best === undefined) return noCandidate(`tuning job ${tuningJobName} has no best training job`);
  return { ...(await promoteFinishedJob({ jobName: best, status: 'Completed' }, deps)), tuningJobName };
}

export async function promoteFinishedJob(
  job: TrainingJobState,
  deps: { store: ObjectStore; nowMs: number },
): Promise<PromotionOutcome> {
  const { jobName, status } = job;
  const outcome = await decide(jobName, status, job.failureReason, deps);
  await deps.store.put(
    promotionRecordKey(jobName),
    JSON.stringify({ ...outcome, decidedAtMs: deps.nowMs }, null, 2),
  );
  return outcome;
}

async function decide(
  jobName: string,
  status: TrainingJobState['status'],
  failureReason: string | undefined,
  deps: { store: ObjectStore; nowMs: number },
): Promise<PromotionOutcome> {
  if (status === 'Failed' || status === 'Stopped') {
    return {
      jobName,
      status,
      promoted: false,
      reason: status === 'Failed' ? 'job-failed' : 'job-stopped',
      detail: failureReason ?? 'no failure reason given',
    };
  }
  if (status !== 'Completed')
    return { jobName, status, promoted: false, reason: 'not-final', detail: status };

  const recordBytes = await deps.store.get(trainingJobRecordKey(jobName));
  if (recordBytes === undefined) {
    throw new CandidateRecordMissingError(
      `training job ${jobName} completed but ${trainingJobRecordKey(jobName)} does not exist`,
      'check the job log in CloudWatch (/aws/sagemaker/TrainingJobs): the container must write it after saving the model',
    );
  }
  const { modelId } = parseJson(jobName, trainingJobRecordKey(jobName), recordBytes, trainingJobRecordSchema);
  const evaluationBytes = await getModelFile(deps.store, modelId, EVALUATION_FILE);
  if (evaluationBytes === undefined) {
    throw new CandidateRecordMissingError(
      `model ${modelId} of job ${jobName} has no ${EVALUATION_FILE}`,
      'retrain: the job did not finish its contract',
    );
  }
  const evaluation = parseJson(modelId, EVALUATION_FILE, evaluationBytes, evaluationSchema);
  const { decision } = await promoteCandidate(deps.store, evaluation, { nowMs: deps.nowMs, jobName });
  return { jobName, status, modelId, promoted: decision.promote, ...decision };
}
