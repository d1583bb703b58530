/**
 * Champion/challenger, the one champion rule. Both models are scored on the SAME validation window (the
 * candidate's, which lies after everything the champion was trained on) by the training job that has
 * the data and the GPU (`evaluateOnSameWindow`); the evidence travels beside the candidate as
 * `evaluation.json`, and the promotion step reads it (`promoteCandidate`). `decidePromotion` is the
 * rule, pure: an empty seat is always filled; with evidence, the candidate must beat the champion's
 * mean information coefficient over coins (scale-free, so models with different target scales compare
 * fairly; their L1 losses would not); without evidence (a local `train`), only an explicit request
 * replaces a champion.
 */
import { z } from 'zod';
import { CHAMPION_HISTORY_PREFIX, PROMOTIONS_PREFIX, TRAINING_JOBS_PREFIX } from '../contracts/keys.js';
import { readFrame } from '../lake/reader.js';
import { modelIdSchema, timeRangeSchema, type ChampionPointer, type ModelMeta } from '../model/artifacts.js';
import { coinMetrics, meanCoinMetrics } from '../prediction-metrics.js';
import { predictRange } from '../model/predict-range.js';
import { loadPredictor } from '../model/predictor.js';
import { getChampion, getVerifiedChampion, setChampion } from '../model/registry.js';
import { firstInputMinuteMs } from '../model/warm-up.js';
import type { ObjectStore } from '../store/object-store.js';
import { MINUTE_MS } from '../time.js';

/** The file beside a candidate model that holds both scores. */
export const EVALUATION_FILE = 'evaluation.json';

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
  | { promote: true; reason: 'no-champion' | 'better' | 'requested'; detail: string }
  | {
      promote: false;
      reason: 'already-champion' | 'champion-changed' | 'undefined-score' | 'not-better' | 'no-evidence';
      detail: string;
    };

/** A candidate without scores on a shared window, promoted only into an empty seat or on request. */
export interface UnscoredCandidate {
  candidateId: string;
  requested: boolean;
}

export interface PromotionPolicy {
  /** The candidate's IC must exceed the champion's by more than this (0: any improvement). */
  minIcImprovement: number;
}

export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = { minIcImprovement: 0 };

/** Decides from the evidence and the champion pointer as it is now. */
export function decidePromotion(
  evaluation: Evaluation | UnscoredCandidate,
  currentChampionId: string | undefined,
  policy: PromotionPolicy = DEFAULT_PROMOTION_POLICY,
): PromotionDecision {
  if (currentChampionId === undefined)
    return { promote: true, reason: 'no-champion', detail: 'no champion yet' };
  if (currentChampionId === evaluation.candidateId) {
    return {
      promote: false,
      reason: 'already-champion',
      detail: `${evaluation.candidateId} is the champion`,
    };
  }
  if (!('candidate' in evaluation)) {
    return evaluation.requested
      ? { promote: true, reason: 'requested', detail: `promotion of ${evaluation.candidateId} was requested` }
      : { promote: false, reason: 'no-evidence', detail: 'no scores on a shared window; the champion stays' };
  }
  const candidate = evaluation.candidate;
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

export interface PromotionOutcome {
  decision: PromotionDecision;
  /** The pointer after a promotion, and the champion it replaced. */
  pointer?: ChampionPointer;
  previousModelId: string | null;
}

/**
 * Applies the rule to the champion pointer as it is now; moves the pointer when it says so. With a
 * training job named, the promotion is also kept in the champion history with its evidence.
 */
export async function promoteCandidate(
  store: ObjectStore,
  evidence: Evaluation | UnscoredCandidate,
  options: { nowMs?: number; jobName?: string; policy?: PromotionPolicy } = {},
): Promise<PromotionOutcome> {
  // a champion whose weights changed since its promotion is refused, not compared or replaced silently
  const champion = await getVerifiedChampion(store);
  const previousModelId = champion?.modelId ?? null;
  const decision = decidePromotion(evidence, champion?.modelId, options.policy);
  if (!decision.promote) return { decision, previousModelId };
  const pointer = await setChampion(store, evidence.candidateId, options.nowMs);
  if (options.jobName !== undefined) {
    await store.putIfAbsent(
      championHistoryKey(evidence.candidateId, pointer.promotedAtMs),
      JSON.stringify(
        { ...pointer, previousModelId, jobName: options.jobName, evaluation: evidence },
        null,
        2,
      ),
    );
  }
  return { decision, pointer, previousModelId };
}

/** Validation predictions of the final model, in plain returns, [sample][coin]. */
export interface ValidationPredictions {
  timesMs: Float64Array;
  predictions: Float32Array;
  realised: Float32Array;
  mask: Float32Array;
}

/** What the evidence needs of a training run (train.ts's `TrainResult` has it; named here so train imports this file, not the reverse). */
export interface PromotionCandidate {
  modelId: string;
  meta: ModelMeta;
  validation: ValidationPredictions;
}

/**
 * The evidence promotion needs: the candidate and the current champion scored on the same samples, the
 * candidate's validation minutes, with the same realised returns and mask. The champion predicts from
 * the lake with its own normalisation stats; both scores come from one metric function.
 */
export async function evaluateOnSameWindow(
  store: ObjectStore,
  result: PromotionCandidate,
  log: (line: string) => void,
): Promise<Evaluation> {
  const { timesMs, predictions, realised, mask } = result.validation;
  const coinCount = result.meta.symbols.length;
  const evaluation: Evaluation = {
    candidateId: result.modelId,
    window: result.meta.split.validation,
    samples: timesMs.length,
    candidate: score(predictions, realised, mask, coinCount),
    champion: null,
  };
  const champion = await getChampion(store);
  if (champion === undefined || champion.modelId === result.modelId || timesMs.length === 0)
    return evaluation;

  const predictor = await loadPredictor(store, champion.modelId);
  try {
    if (predictor.meta.symbols.join(',') !== result.meta.symbols.join(',')) {
      log(`champion ${champion.modelId} trades other symbols; no like-for-like comparison`);
      return evaluation;
    }
    const frame = await readFrame(
      store,
      predictor.meta.symbols,
      firstInputMinuteMs(timesMs[0]!, predictor.meta.windowMinutes),
      timesMs[timesMs.length - 1]! + MINUTE_MS,
    );
    const championPredictions = await predictRange(predictor, frame, timesMs);
    evaluation.champion = {
      modelId: champion.modelId,
      score: score(championPredictions, realised, mask, coinCount),
    };
    return evaluation;
  } finally {
    predictor.dispose();
  }
}

function score(
  predictions: Float32Array,
  realised: Float32Array,
  mask: Float32Array,
  coinCount: number,
): ValidationScore {
  return meanCoinMetrics(coinMetrics(predictions, realised, mask, coinCount));
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
