/**
 * Correlation and least-squares regression over paired samples, in one place: the model's IC and rank
 * IC, the backtest's per-pair correlations and the strategy's calibration all read these sums.
 */

/** Means, co-moment and second moments of paired samples (sums of products of deviations, not divided by n). */
export interface PairedMoments {
  count: number;
  meanX: number;
  meanY: number;
  /** Σ (x − meanX)(y − meanY) */
  coMoment: number;
  /** Σ (x − meanX)² */
  sumSquaresX: number;
  /** Σ (y − meanY)² */
  sumSquaresY: number;
}

export function pairedMoments(x: ArrayLike<number>, y: ArrayLike<number>): PairedMoments {
  const count = x.length;
  if (count !== y.length)
    throw new RangeError(`paired samples need equal lengths, got ${count} and ${y.length}`);
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < count; i++) {
    meanX += x[i]!;
    meanY += y[i]!;
  }
  meanX /= count;
  meanY /= count;
  let coMoment = 0;
  let sumSquaresX = 0;
  let sumSquaresY = 0;
  for (let i = 0; i < count; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    coMoment += dx * dy;
    sumSquaresX += dx * dx;
    sumSquaresY += dy * dy;
  }
  return { count, meanX, meanY, coMoment, sumSquaresX, sumSquaresY };
}

/** Pearson's correlation; NaN for fewer than two samples or a constant side (no direction to correlate). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length)
    throw new RangeError(`pearson needs equal lengths, got ${x.length} and ${y.length}`);
  if (x.length < 2) return Number.NaN;
  const { coMoment, sumSquaresX, sumSquaresY } = pairedMoments(x, y);
  if (sumSquaresX === 0 || sumSquaresY === 0) return Number.NaN;
  return coMoment / Math.sqrt(sumSquaresX * sumSquaresY);
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
