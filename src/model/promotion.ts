/**
 * Champion/challenger: is a freshly trained candidate better than the champion? Pure. Both models are
 * scored on the SAME validation window (the candidate's, which lies after everything the champion was
 * trained on), by the training job that has the data and the GPU; the evidence travels beside the
 * candidate as `evaluation.json` and this module only reads it. The score is the mean information
 * coefficient over coins: scale-free, so models with different target scales compare fairly (their L1
 * losses would not).
 */
import { z } from 'zod';
import { MODELS_PREFIX, modelIdSchema, timeRangeSchema } from './artifacts.js';

/** The file beside a candidate model that holds both scores. */
export const EVALUATION_FILE = 'evaluation.json';
/** Which model a SageMaker training job produced: `models/training-jobs/<job>.json`. */
export const TRAINING_JOBS_PREFIX = `${MODELS_PREFIX}training-jobs/`;
/** Every promotion decision, promoted or not: `models/promotions/<job>.json`. */
export const PROMOTIONS_PREFIX = `${MODELS_PREFIX}promotions/`;
/** Every champion the pointer ever held, oldest first by key: `models/champion-history/<time>-<id>.json`. */
export const CHAMPION_HISTORY_PREFIX = `${MODELS_PREFIX}champion-history/`;

const finiteOrNaN = z.preprocess(
  (value) => (value === null ? Number.NaN : value),
  z.union([z.number(), z.nan()]),
);

export const validationScoreSchema = z.object({ ic: finiteOrNaN, rankIc: finiteOrNaN, hitRate: finiteOrNaN });
export type ValidationScore = z.infer<typeof validationScoreSchema>;

export const evaluationSchema = z.object({
  candidateId: modelIdSchema,
  /** [fromMs, toMs) of the decision minutes both models were scored on. */
  window: timeRangeSchema,
  samples: z.number().int().nonnegative(),
  candidate: validationScoreSchema,
  /** Null when there was no champion to compare with when the job finished. */
  champion: z.object({ modelId: modelIdSchema, score: validationScoreSchema }).nullable(),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

export const trainingJobRecordSchema = z.object({
  jobName: z.string().min(1),
  modelId: modelIdSchema,
  finishedAtMs: z.number().int(),
});
export type TrainingJobRecord = z.infer<typeof trainingJobRecordSchema>;

export type PromotionDecision =
  | { promote: true; reason: 'no-champion' | 'better'; detail: string }
  | {
      promote: false;
      reason: 'already-champion' | 'champion-changed' | 'undefined-score' | 'not-better';
      detail: string;
    };

export interface PromotionPolicy {
  /** The candidate's IC must exceed the champion's by more than this (0: any improvement). */
  minIcImprovement: number;
}

export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = { minIcImprovement: 0 };

/** Decides from the evidence and the champion pointer as it is now. */
export function decidePromotion(
  evaluation: Evaluation,
  currentChampionId: string | undefined,
  policy: PromotionPolicy = DEFAULT_PROMOTION_POLICY,
): PromotionDecision {
  const candidate = evaluation.candidate;
  if (currentChampionId === undefined)
    return { promote: true, reason: 'no-champion', detail: 'no champion yet' };
  if (currentChampionId === evaluation.candidateId) {
    return {
      promote: false,
      reason: 'already-champion',
      detail: `${evaluation.candidateId} is the champion`,
    };
  }
  if (!Number.isFinite(candidate.ic)) {
    return {
      promote: false,
      reason: 'undefined-score',
      detail: 'the candidate has no defined validation IC',
    };
  }
  if (evaluation.champion === null || evaluation.champion.modelId !== currentChampionId) {
    // the evidence compares with another model than the one to replace: not a like-for-like comparison
    return {
      promote: false,
      reason: 'champion-changed',
      detail: `scored against ${evaluation.champion?.modelId ?? 'no champion'}, but the champion is ${currentChampionId}`,
    };
  }
  const championIc = evaluation.champion.score.ic;
  const detail = `IC ${format(candidate.ic)} vs champion ${format(championIc)} on ${evaluation.samples} samples`;
  if (!Number.isFinite(championIc) || candidate.ic > championIc + policy.minIcImprovement) {
    return { promote: true, reason: 'better', detail };
  }
  return { promote: false, reason: 'not-better', detail };
}

export function trainingJobRecordKey(jobName: string): string {
  return `${TRAINING_JOBS_PREFIX}${jobName}.json`;
}

export function promotionRecordKey(jobName: string): string {
  return `${PROMOTIONS_PREFIX}${jobName}.json`;
}

export function championHistoryKey(modelId: string, promotedAtMs: number): string {
  return `${CHAMPION_HISTORY_PREFIX}${new Date(promotedAtMs).toISOString().replace(/[-:.]/g, '')}-${modelId}.json`;
}

function format(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : 'undefined';
}
