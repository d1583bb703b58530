/**
 * How good a set of predictions is, per coin, over the real (masked-in) entries only: Pearson IC,
 * rank IC (Spearman, ties get their average rank) and the direction hit rate. Pure functions over
 * `[sample][coin]` typed arrays, so training, walk-forward and the backtest score predictions alike.
 *
 * A coin with fewer than two real entries, or whose predictions or returns never vary, has no defined
 * correlation: its IC is NaN (null in JSON) rather than a made-up 0, and the means skip it.
 */

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
export function summarise(metrics: CoinMetrics): MetricsSummary {
  return {
    ic: definedMean(metrics.ic),
    rankIc: definedMean(metrics.rankIc),
    hitRate: definedMean(metrics.hitRate),
  };
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return correlation(x, y);
}

/**
 * Weighted Pearson correlation: weighted means, covariance and variances, each point counting with its
 * weight. NaN when undefined (fewer than two points, no weight or no spread).
 */
export function weightedPearson(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  if (weights.length !== x.length)
    throw new RangeError(`weightedPearson needs a weight per point, got ${weights.length} for ${x.length}`);
  return correlation(x, y, weights);
}

/** Pearson correlation, each point counting with its weight (1 each without weights: exactly the plain one). */
function correlation(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`pearson needs equal lengths, got ${n} and ${y.length}`);
  if (n < 2) return Number.NaN;
  const weightOf = (i: number): number => (weights === undefined ? 1 : weights[i]!);
  let weightSum = 0;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    weightSum += weightOf(i);
    meanX += weightOf(i) * x[i]!;
    meanY += weightOf(i) * y[i]!;
  }
  if (!(weightSum > 0)) return Number.NaN;
  meanX /= weightSum;
  meanY /= weightSum;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    covariance += weightOf(i) * dx * dy;
    varianceX += weightOf(i) * dx * dx;
    varianceY += weightOf(i) * dy * dy;
  }
  if (varianceX === 0 || varianceY === 0) return Number.NaN;
  return covariance / Math.sqrt(varianceX * varianceY);
}

/**
 * The G-Research Crypto Forecasting score: one weighted Pearson correlation over every real
 * (minute, coin) entry pooled across coins, each entry weighted by its coin's weight. Unlike the per-coin
 * IC averaged over coins, it rewards getting the big coins right and sees cross-coin ranking.
 */
export function weightedCorrelation(
  predictions: ArrayLike<number>,
  realised: ArrayLike<number>,
  mask: ArrayLike<number>,
  coinWeights: readonly number[],
): number {
  const coinCount = coinWeights.length;
  const x: number[] = [];
  const y: number[] = [];
  const w: number[] = [];
  for (let at = 0; at < predictions.length; at++) {
    if (mask[at] !== 1 || !Number.isFinite(predictions[at]!)) continue;
    x.push(predictions[at]!);
    y.push(realised[at]!);
    w.push(coinWeights[at % coinCount]!);
  }
  return weightedPearson(x, y, w);
}

/** 1-based ranks; equal values share the mean of the ranks they span, as Spearman's rho requires. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const sharedRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]!] = sharedRank;
    start = end;
  }
  return ranks;
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
