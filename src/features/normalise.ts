/**
 * Per-coin, per-feature standardisation. The statistics come from the training split only (anything
 * later would leak the future into the inputs) and are saved as `stats.json` beside the model, so
 * inference applies exactly the numbers training saw.
 */
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import type { RowRange } from './dataset.js';
import { FEATURE_NAMES, type FeatureMatrix } from './features.js';

export const normStatsSchema = z.object({
  symbols: z.array(z.string()).min(1),
  featureNames: z.array(z.string()).min(1),
  timeChannels: z.boolean(),
  /** [coin][feature], symbols.length * featureNames.length entries. */
  mean: z.array(z.number()),
  /** [coin][feature]; never 0 (a constant feature gets 1). */
  std: z.array(z.number().positive()),
  /** Valid training minutes behind each coin's statistics. */
  countPerCoin: z.array(z.number().int().nonnegative()),
});
export type NormStats = z.infer<typeof normStatsSchema>;

/** The model was trained on other symbols, features or channels than the matrix it is applied to. */
export class StatsMismatchError extends Alpha15Error {
  readonly code = 'STATS_MISMATCH';
}

/** Not one valid training minute for a coin: its statistics would be meaningless. */
export class EmptyTrainingSplitError extends Alpha15Error {
  readonly code = 'EMPTY_TRAINING_SPLIT';
}

export function fitStats(features: FeatureMatrix, range: RowRange): NormStats {
  const { symbols, featureCount, channels, values, valid } = features;
  const coinCount = symbols.length;
  const width = coinCount * featureCount;
  // Two passes in float64: float32 sums over a year of minutes would lose the digits the variance needs.
  const sum = new Float64Array(width);
  const count = new Float64Array(coinCount);
  const fromRow = Math.max(0, range.fromRow);
  const toRow = Math.min(features.length, range.toRow);
  for (let row = fromRow; row < toRow; row++) {
    for (let coin = 0; coin < coinCount; coin++) {
      if (valid[row * coinCount + coin] !== 1) continue;
      count[coin]! += 1;
      const base = row * channels + coin * featureCount;
      for (let f = 0; f < featureCount; f++) sum[coin * featureCount + f]! += values[base + f]!;
    }
  }
  const emptyCoin = symbols.findIndex((_, coin) => count[coin] === 0);
  if (emptyCoin >= 0) {
    throw new EmptyTrainingSplitError(
      `${symbols[emptyCoin]} has no valid minute in training rows ${fromRow}..${toRow}`,
      'widen the date range or drop the symbol: a coin needs real candles in the training split',
    );
  }
  const mean = Array.from(sum, (total, i) => total / count[Math.floor(i / featureCount)]!);
  const squares = new Float64Array(width);
  for (let row = fromRow; row < toRow; row++) {
    for (let coin = 0; coin < coinCount; coin++) {
      if (valid[row * coinCount + coin] !== 1) continue;
      const base = row * channels + coin * featureCount;
      for (let f = 0; f < featureCount; f++) {
        const deviation = values[base + f]! - mean[coin * featureCount + f]!;
        squares[coin * featureCount + f]! += deviation * deviation;
      }
    }
  }
  const std = Array.from(squares, (total, i) => {
    const value = Math.sqrt(total / count[Math.floor(i / featureCount)]!);
    // A feature that never moved in training (e.g. trades of a halted coin) must not divide by ~0.
    return value > 1e-12 ? value : 1;
  });
  return {
    symbols: [...symbols],
    featureNames: [...FEATURE_NAMES],
    timeChannels: features.timeChannels,
    mean,
    std,
    countPerCoin: Array.from(count),
  };
}

/**
 * Standardises the coin features in place. Invalid entries become exactly 0, the training mean: the loss
 * can learn nothing from a missing candle, unlike a sentinel such as -1. Time channels are already in
 * [-1, 1] and stay as they are.
 */
export function applyStats(features: FeatureMatrix, stats: NormStats): void {
  assertStatsMatch(features, stats);
  const { symbols, featureCount, channels, values, valid, length } = features;
  const coinCount = symbols.length;
  const mean = Float64Array.from(stats.mean);
  const inverseStd = Float64Array.from(stats.std, (std) => 1 / std);
  for (let row = 0; row < length; row++) {
    for (let coin = 0; coin < coinCount; coin++) {
      const base = row * channels + coin * featureCount;
      if (valid[row * coinCount + coin] !== 1) {
        values.fill(0, base, base + featureCount);
        continue;
      }
      for (let f = 0; f < featureCount; f++) {
        const at = coin * featureCount + f;
        values[base + f] = (values[base + f]! - mean[at]!) * inverseStd[at]!;
      }
    }
  }
  features.normalised = true;
}

function assertStatsMatch(features: FeatureMatrix, stats: NormStats): void {
  if (features.normalised) {
    throw new StatsMismatchError(
      'feature matrix is already normalised',
      'build fresh features before applying stats',
    );
  }
  const hint = 'use a model trained on the same symbols (in the same order) and feature set, or retrain';
  if (stats.symbols.join(',') !== features.symbols.join(',')) {
    throw new StatsMismatchError(
      `stats are for symbols [${stats.symbols.join(', ')}] but the features have [${features.symbols.join(', ')}]`,
      hint,
    );
  }
  if (stats.featureNames.join(',') !== FEATURE_NAMES.join(',')) {
    throw new StatsMismatchError(
      `stats are for features [${stats.featureNames.join(', ')}] but this build computes [${FEATURE_NAMES.join(', ')}]`,
      hint,
    );
  }
  if (stats.timeChannels !== features.timeChannels) {
    throw new StatsMismatchError(
      `stats were fitted ${stats.timeChannels ? 'with' : 'without'} time channels but the features are built ${
        features.timeChannels ? 'with' : 'without'
      } them`,
      'set model.timeChannels as the model was trained',
    );
  }
  const width = features.symbols.length * features.featureCount;
  if (stats.mean.length !== width || stats.std.length !== width) {
    throw new StatsMismatchError(`stats hold ${stats.mean.length} means for ${width} coin features`, hint);
  }
}
