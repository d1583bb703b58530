/**
 * What one training fold learns from: features normalised with statistics of the fold's training rows
 * only, gap-masked targets, the per-coin target scale, and the sample end rows of its training and
 * validation ranges (no window or target crosses a range boundary: see features/dataset.ts).
 */
import type { Config } from '../config/schema.js';
import { DatasetTooShortError, sampleEndRows } from '../features/dataset.js';
import { buildFeatures, type FeatureMatrix } from '../features/features.js';
import { applyStats, fitStats, type NormStats } from '../features/normalise.js';
import type { TargetMatrix } from '../features/targets.js';
import type { MarketFrame } from '../lake/frame.js';
import { fitTargetScale } from './target-scale.js';
import type { TrainingFold } from './walk-forward.js';

export interface PreparedFold {
  fold: TrainingFold;
  stats: NormStats;
  targetScale: number[];
  features: FeatureMatrix;
  /** Gap-masked targets in plain returns. */
  targets: TargetMatrix;
  trainEndRows: Int32Array;
  validationEndRows: Int32Array;
}

/** Fine-tuning reuses the parent's statistics and target scale: its weights were trained against them. */
export interface InheritedScaling {
  stats: NormStats;
  targetScale: number[];
}

export function prepareFold(
  frame: MarketFrame,
  targets: TargetMatrix,
  fold: TrainingFold,
  config: Config,
  inherited?: InheritedScaling,
): PreparedFold {
  const features = buildFeatures(frame, { timeChannels: config.model.timeChannels });
  // The leakage guard of normalisation: statistics from this fold's training rows only (or, when
  // fine-tuning, the parent's, which the parent's weights were trained against).
  const stats = inherited?.stats ?? fitStats(features, fold.train);
  applyStats(features, stats);
  const sampleOptions = {
    windowMinutes: config.windowMinutes,
    horizonMinutes: config.horizonMinutes,
    strideMinutes: config.training.sampleStrideMinutes,
    maxGapMinutes: config.training.maxGapMinutes,
  };
  const train = sampleEndRows(features, targets, fold.train, sampleOptions);
  const validation = sampleEndRows(features, targets, fold.validation, sampleOptions);
  if (train.endRows.length === 0 || validation.endRows.length === 0) {
    throw new DatasetTooShortError(
      `fold ${fold.fold} has ${train.endRows.length} training and ${validation.endRows.length} validation samples`,
      'widen the date range, lower the window or the sample stride, or use fewer walk-forward folds',
      { data: { reason: 'fold-samples', fold: fold.fold } },
    );
  }
  return {
    fold,
    stats,
    targetScale: inherited?.targetScale ?? fitTargetScale(train.targets, train.endRows),
    features,
    targets: train.targets,
    trainEndRows: train.endRows,
    validationEndRows: validation.endRows,
  };
}
