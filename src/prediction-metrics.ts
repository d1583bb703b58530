/**
 * How good a set of predictions is, per coin, over the real (masked-in) entries only: Pearson IC,
 * rank IC (Spearman, ties get their average rank) and the direction hit rate. Pure functions over
 * `[sample][coin]` typed arrays, so training, walk-forward and the backtest score predictions alike.
 *
 * A coin with fewer than two real entries, or whose predictions or returns never vary, has no defined
 * correlation: its IC is NaN (null in JSON) rather than a made-up 0, and the means skip it.
 */
import { averageRanks, pearson } from './statistics.js';

export interface CoinMetrics {
  /** Pearson correlation of prediction and realised return, per coin. */
  ic: number[];
  /** Spearman correlation (Pearson of the ranks, ties averaged), per coin. */
  rankIc: number[];
  /** Share of entries with a non-zero return whose prediction has the same sign, per coin. */
  hitRate: number[];
  /** Real entries behind each coin's numbers. */
  count: number[];
}

export interface MetricsSummary {
  ic: number;
  rankIc: number;
  hitRate: number;
}

/** Per-coin metrics of predictions against realised returns, both laid out `[sample][coin]`. */
export function coinMetrics(
  predictions: Float32Array,
  realised: Float32Array,
  mask: ArrayLike<number>,
  coinCount: number,
): CoinMetrics {
  if (
    predictions.length !== realised.length ||
    predictions.length !== mask.length ||
    predictions.length % coinCount !== 0
  ) {
    throw new RangeError(
      `predictions (${predictions.length}), realised (${realised.length}) and mask (${mask.length}) must be [sample][${coinCount} coins]`,
    );
  }
  const result: CoinMetrics = { ic: [], rankIc: [], hitRate: [], count: [] };
  for (let coin = 0; coin < coinCount; coin++) {
    const [predicted, actual] = maskedColumn(predictions, realised, mask, coin, coinCount);
    result.ic.push(pearson(predicted, actual));
    result.rankIc.push(pearson(averageRanks(predicted), averageRanks(actual)));
    result.hitRate.push(hitRate(predicted, actual));
    result.count.push(predicted.length);
  }
  return result;
}

/** The mean of each metric over the coins where it is defined (NaN when none is). */
export function meanCoinMetrics(metrics: CoinMetrics): MetricsSummary {
  return {
    ic: definedMean(metrics.ic),
    rankIc: definedMean(metrics.rankIc),
    hitRate: definedMean(metrics.hitRate),
  };
}

/** A flat return has no direction to hit, so it is left out rather than counted as a miss. */
function hitRate(predicted: Float64Array, actual: Float64Array): number {
  let hits = 0;
  let counted = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === 0) continue;
    counted++;
    if (Math.sign(predicted[i]!) === Math.sign(actual[i]!)) hits++;
  }
  return counted === 0 ? Number.NaN : hits / counted;
}

function maskedColumn(
  predictions: Float32Array,
  realised: Float32Array,
  mask: ArrayLike<number>,
  coin: number,
  coinCount: number,
): [Float64Array, Float64Array] {
  const predicted: number[] = [];
  const actual: number[] = [];
  for (let at = coin; at < predictions.length; at += coinCount) {
    if (mask[at] !== 1) continue;
    predicted.push(predictions[at]!);
    actual.push(realised[at]!);
  }
  return [Float64Array.from(predicted), Float64Array.from(actual)];
}

function definedMean(values: number[]): number {
  const defined = values.filter((value) => Number.isFinite(value));
  return defined.length === 0 ? Number.NaN : defined.reduce((sum, value) => sum + value, 0) / defined.length;
}
