/**
 * What a training run says about the model it kept: its id and meta.json (universe, shape, data and
 * split, validation metrics, IC decay, provenance), the validation predictions back in plain returns,
 * and the strategy thresholds fitted on them. Pure apart from the git revision and the clock.
 */
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { FEATURE_NAMES } from '../features/features.js';
import type { MarketFrame } from '../lake/frame.js';
import { newModelId, type FoldSummary, type ModelMeta, type ValidationSummary } from '../model/artifacts.js';
import type { BackendInfo } from '../model/backend.js';
import { currentGitRevision } from '../model/git-revision.js';
import { icDecay, type IcAtHorizon } from '../model/ic-decay.js';
import type { StoredModel } from '../model/registry.js';
import type { PreparedFold } from '../model/training-data.js';
import type { Evaluation } from '../model/training-loop.js';
import { weightedCorrelation } from '../statistics.js';
import { fitStrategyOnRows } from '../strategy/fit.js';
import type { StrategyParams } from '../strategy/params.js';
import type { ValidationPredictions } from './evaluate-and-promote.js';
import type { TrainedFolds } from './training-folds.js';
import { rangeTime, rowTime, type TrainingPlan } from './training-plan.js';

export interface FoldMean {
  loss: number;
  ic: number;
  rankIc: number;
  hitRate: number;
}

export interface TrainedModelDescription {
  modelId: string;
  meta: ModelMeta;
  /** The kept model's validation metrics, with the weighted correlation. */
  val: ValidationSummary;
  icDecay: IcAtHorizon[];
  validation: ValidationPredictions;
  /** The strategy fitted on the validation predictions, or null when it could not be fitted. */
  thresholds: StrategyParams | null;
}

export function describeTrainedModel(
  plan: TrainingPlan,
  trained: TrainedFolds,
  context: {
    backend: BackendInfo;
    parent: StoredModel | undefined;
    nowMs: number | undefined;
    log: (line: string) => void;
  },
): TrainedModelDescription {
  const { config, frame, coinWeights } = plan;
  const { prepared, best, summary } = trained.final;
  const lastFold = plan.folds.folds.at(-1)!;
  const modelId = newModelId(context.nowMs);
  const validation = validationPredictions(best, prepared, frame);
  const val: ValidationSummary = {
    ...summary.val,
    weightedCorrelation: weightedCorrelation(
      validation.predictions,
      validation.realised,
      validation.mask,
      coinWeights,
    ),
  };
  const decay = icDecay({
    frame,
    rows: prepared.validationEndRows,
    predictions: validation.predictions,
    target: config.target,
    coinWeights,
  });
  const meta: ModelMeta = {
    formatVersion: 1,
    id: modelId,
    symbols: [...config.symbols],
    windowMinutes: config.windowMinutes,
    horizonMinutes: config.horizonMinutes,
    featureNames: [...FEATURE_NAMES],
    timeChannels: config.model.timeChannels,
    channels: prepared.features.channels,
    targetScale: prepared.targetScale,
    target: config.target,
    coinWeights,
    icDecay: decay,
    architecture: {
      filters: config.model.filters,
      blocks: config.model.blocks,
      kernelSize: config.model.kernelSize,
      seed: config.model.seed,
    },
    data: { fromMs: frame.startTimeMs, toMs: rowTime(frame, frame.length) },
    split: {
      embargoMinutes: plan.folds.embargoMinutes,
      train: rangeTime(frame, lastFold.train),
      validation: rangeTime(frame, lastFold.validation),
      test: lastFold.test === undefined ? null : rangeTime(frame, lastFold.test),
    },
    folds: plan.folds.walkForward ? trained.summaries : [],
    validation: val,
    trainingSamples: prepared.trainEndRows.length,
    epochs: trained.epochs.filter((record) => record.fold === lastFold.fold).length,
    samplesPerSecond: trained.trainSeconds > 0 ? trained.samplesSeen / trained.trainSeconds : 0,
    backend: context.backend.name,
    gitRevision: currentGitRevision(),
    parentModelId: context.parent?.meta.id ?? null,
    weightsByteLength: 0,
    createdAtMs: context.nowMs ?? Date.now(),
  };
  const thresholds = fitThresholds(config, frame, prepared.validationEndRows, validation, context.log);
  return { modelId, meta, val, icDecay: decay, validation, thresholds };
}

/** Walk-forward only: each validation metric averaged over the folds. */
export function meanOverFolds(folds: FoldSummary[]): FoldMean {
  const mean = (pick: (fold: FoldSummary) => number) =>
    folds.reduce((sum, fold) => sum + pick(fold), 0) / folds.length;
  return {
    loss: mean((fold) => fold.val.loss),
    ic: mean((fold) => fold.val.ic),
    rankIc: mean((fold) => fold.val.rankIc),
    hitRate: mean((fold) => fold.val.hitRate),
  };
}

/** The best epoch's validation predictions and targets, back in plain returns. */
function validationPredictions(
  best: Evaluation,
  prepared: PreparedFold,
  frame: MarketFrame,
): ValidationPredictions {
  const coinCount = prepared.targetScale.length;
  const unscale = (values: Float32Array) =>
    values.map((value, at) => value * prepared.targetScale[at % coinCount]!);
  return {
    timesMs: Float64Array.from(prepared.validationEndRows, (row) => rowTime(frame, row)),
    predictions: unscale(best.predictions),
    realised: unscale(best.realised),
    mask: best.mask,
  };
}

/**
 * The strategy's thresholds from the validation predictions, each trade priced by the fill model on the
 * frame's prices (not by the model's target); a run too small to fit them still yields a model.
 */
function fitThresholds(
  config: Config,
  frame: MarketFrame,
  validationEndRows: ArrayLike<number>,
  validation: ValidationPredictions,
  log: (line: string) => void,
): StrategyParams | null {
  try {
    return fitStrategyOnRows({
      frame,
      rows: validationEndRows,
      predictions: validation.predictions,
      predictionMask: validation.mask,
      config,
    });
  } catch (error) {
    if (!(error instanceof Alpha15Error)) throw error;
    log(`alpha15: no thresholds.json for this model: ${error.message}`);
    return null;
  }
}
