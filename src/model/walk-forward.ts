/**
 * Which rows each training fold learns from and is judged on. A plain run is one fold: the
 * chronological train / validation / test split. Walk-forward is k expanding-window folds, each
 * trained on everything before its validation block; its final fold is the model that is kept.
 * Either way every boundary carries an embargo of at least window + horizon minutes.
 */
import type { TrainingConfig } from '../config/schema.js';
import {
  minimumEmbargoMinutes,
  splitChronologically,
  walkForwardFolds,
  type RowRange,
} from '../features/dataset.js';

export interface TrainingFold {
  fold: number;
  train: RowRange;
  validation: RowRange;
  /** Rows no fold touches, kept for the backtest; undefined in walk-forward mode. */
  test?: RowRange;
}

export interface FoldPlan {
  embargoMinutes: number;
  folds: TrainingFold[];
  walkForward: boolean;
}

export function planFolds(
  frameLength: number,
  options: { windowMinutes: number; horizonMinutes: number; training: TrainingConfig },
): FoldPlan {
  const embargoMinutes = minimumEmbargoMinutes(options.windowMinutes, options.horizonMinutes);
  const { walkForwardFolds: foldCount, validationFraction, testFraction } = options.training;
  if (foldCount > 0) {
    const folds = walkForwardFolds(frameLength, foldCount, { embargoMinutes });
    return {
      embargoMinutes,
      walkForward: true,
      folds: folds.map((fold, index) => ({ fold: index, ...fold })),
    };
  }
  const split = splitChronologically(frameLength, { validationFraction, testFraction, embargoMinutes });
  const test = split.test.toRow > split.test.fromRow ? split.test : undefined;
  return {
    embargoMinutes,
    walkForward: false,
    folds: [{ fold: 0, train: split.train, validation: split.validation, test }],
  };
}
