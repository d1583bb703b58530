/**
 * Correlation and least-squares regression over paired samples, in one place: the model's IC and rank
 * IC, the backtest's per-pair correlations and the strategy's calibration all read these sums.
 */

/**
 * Weighted means, co-moment and second moments of paired samples (weighted sums of products of
 * deviations, not divided by the weight). Without weights every point counts 1, exactly the plain sums.
 */
export interface PairedMoments {
  weightSum: number;
  meanX: number;
  meanY: number;
  /** Σ w (x − meanX)(y − meanY) */
  coMoment: number;
  /** Σ w (x − meanX)² */
  sumSquaresX: number;
  /** Σ w (y − meanY)² */
  sumSquaresY: number;
}

export function pairedMoments(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
): PairedMoments {
  const count = x.length;
  if (count !== y.length)
    throw new RangeError(`paired samples need equal lengths, got ${count} and ${y.length}`);
  if (weights !== undefined && weights.length !== count)
    throw new RangeError(`a weight per point is needed, got ${weights.length} for ${count}`);
  const weightOf = (i: number): number => (weights === undefined ? 1 : weights[i]!);
  let weightSum = 0;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < count; i++) {
    weightSum += weightOf(i);
    meanX += weightOf(i) * x[i]!;
    meanY += weightOf(i) * y[i]!;
  }
  meanX /= weightSum;
  meanY /= weightSum;
  let coMoment = 0;
  let sumSquaresX = 0;
  let sumSquaresY = 0;
  for (let i = 0; i < count; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    coMoment += weightOf(i) * dx * dy;
    sumSquaresX += weightOf(i) * dx * dx;
    sumSquaresY += weightOf(i) * dy * dy;
  }
  return { weightSum, meanX, meanY, coMoment, sumSquaresX, sumSquaresY };
}

/** Pearson's correlation; NaN for fewer than two samples or a constant side (no direction to correlate). */
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

function correlation(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): number {
  if (x.length !== y.length)
    throw new RangeError(`pearson needs equal lengths, got ${x.length} and ${y.length}`);
  if (x.length < 2) return Number.NaN;
  const { weightSum, coMoment, sumSquaresX, sumSquaresY } = pairedMoments(x, y, weights);
  if (!(weightSum > 0) || sumSquaresX === 0 || sumSquaresY === 0) return Number.NaN;
  return coMoment / Math.sqrt(sumSquaresX * sumSquaresY);
}

/**
 * The G-Research Crypto Forecasting score: one weighted Pearson correlation over every real
 * (minute, coin) entry of `[minute][coin]` arrays pooled across coins, each entry weighted by its coin's
 * weight. Unlike the per-coin IC averaged over coins, it rewards getting the big coins right and sees
 * cross-coin ranking.
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

/** Ordinary least squares y ≈ intercept + slope · x, with the share of y's variance it explains. */
export interface LinearFit {
  intercept: number;
  slope: number;
  r2: number;
}

/** A constant x carries no information: the fit is then the mean of y (slope 0, r2 0). */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>): LinearFit {
  const { meanX, meanY, coMoment, sumSquaresX, sumSquaresY } = pairedMoments(x, y);
  const slope = sumSquaresX > 0 ? coMoment / sumSquaresX : 0;
  const r2 = sumSquaresX > 0 && sumSquaresY > 0 ? (coMoment * coMoment) / (sumSquaresX * sumSquaresY) : 0;
  return { intercept: meanY - slope * meanX, slope, r2 };
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
