/**
 * Threshold selection per pair and side: sweep candidate thresholds (quantiles of the validation
 * predictions), price every trade each would have made after fees, and choose the one with the
 * highest average net profit per trade among those that trade often enough and are profitable in both
 * halves of the validation period. The both-halves rule guards against picking a threshold that only
 * looks good because of one lucky stretch; a side with no eligible threshold does not trade.
 *
 * The sweep applies the overlap rule the way `decide()` does: with 'skip', a signal that comes while the
 * previous trade of the same pair and side is still open is not a trade.
 */
import { MINUTE_MS } from '../time.js';
import type { Overlap, SideParams, ThresholdPoint } from './params.js';
import type { Side } from './side.js';

/** A candidate trade's net return from its side, reference price move and decision minute (trade-pricing.ts `movePricer`). */
export type TradePrice = (side: Side, priceMove: number, decisionTimeMs: number) => number;

/** One pair's validation samples in time order: the value compared with thresholds and the realised move of the side's trade. */
export interface PairSamples {
  timesMs: ArrayLike<number>;
  values: ArrayLike<number>;
  realised: ArrayLike<number>;
}

export interface SweepOptions {
  /** What a candidate trade nets: the pair's fees, slippage, borrow and funding, as the replay charges them. */
  price: TradePrice;
  minTrades: number;
  /** Candidate thresholds per side. */
  candidates: number;
  horizonMinutes: number;
  overlap: Overlap;
  /** Samples before this time form the first half of the validation period, the rest the second. */
  splitMs: number;
}

/**
 * Quantile levels a side's candidates sit at: from the median outwards, so a long threshold is never
 * below the median prediction nor a short one above it.
 */
export function candidateLevels(side: Side, candidates: number): number[] {
  const levels: number[] = [];
  for (let i = 0; i < candidates; i++) {
    const upper = 0.5 + (0.5 * i) / candidates;
    levels.push(side === 'long' ? upper : 1 - upper);
  }
  return levels;
}

export function quantileOfSorted(sorted: ArrayLike<number>, level: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(level * (sorted.length - 1))))]!;
}

/** Each sample's net return if traded on this side: the same at every threshold, so priced once per side. */
function sideNets(samples: PairSamples, side: Side, options: SweepOptions): Float64Array {
  return Float64Array.from({ length: samples.values.length }, (_, i) =>
    options.price(side, samples.realised[i]!, samples.timesMs[i]!),
  );
}

/** What trading one side of a pair at `threshold` did on the samples. */
export function evaluateThreshold(
  samples: PairSamples,
  side: Side,
  threshold: number,
  options: SweepOptions,
  nets: ArrayLike<number> = sideNets(samples, side, options),
): Omit<ThresholdPoint, 'quantile'> {
  const horizonMs = options.horizonMinutes * MINUTE_MS;
  let trades = 0;
  let total = 0;
  let firstCount = 0;
  let firstTotal = 0;
  let nextFreeMs = -Infinity;
  for (let i = 0; i < samples.values.length; i++) {
    const value = samples.values[i]!;
    const crosses = side === 'long' ? value >= threshold : value <= threshold;
    const timeMs = samples.timesMs[i]!;
    if (!crosses || timeMs < nextFreeMs) continue;
    if (options.overlap === 'skip') nextFreeMs = timeMs + horizonMs;
    const net = nets[i]!;
    trades++;
    total += net;
    if (timeMs < options.splitMs) {
      firstCount++;
      firstTotal += net;
    }
  }
  const secondCount = trades - firstCount;
  const avg = trades > 0 ? total / trades : null;
  const firstAvg = firstCount > 0 ? firstTotal / firstCount : null;
  const secondAvg = secondCount > 0 ? (total - firstTotal) / secondCount : null;
  const eligible =
    trades >= options.minTrades &&
    avg! > 0 &&
    firstAvg !== null &&
    firstAvg > 0 &&
    secondAvg !== null &&
    secondAvg > 0;
  return {
    threshold,
    trades,
    avgNetReturn: avg,
    totalNetReturn: total,
    firstHalfAvgNetReturn: firstAvg,
    secondHalfAvgNetReturn: secondAvg,
    eligible,
  };
}

/** Sweeps one side of one pair and chooses its threshold (or none). */
export function chooseSideThreshold(samples: PairSamples, side: Side, options: SweepOptions): SideParams {
  const finiteValues = Array.from(samples.values).filter(Number.isFinite);
  if (finiteValues.length === 0) return { threshold: null, chosen: null, curve: [] };
  const sorted = Float64Array.from(finiteValues).sort();
  const nets = sideNets(samples, side, options);
  const curve: ThresholdPoint[] = [];
  let previous: number | undefined;
  for (const level of candidateLevels(side, options.candidates)) {
    const threshold = quantileOfSorted(sorted, level);
    if (threshold === previous) continue;
    previous = threshold;
    curve.push({ ...evaluateThreshold(samples, side, threshold, options, nets), quantile: level });
  }
  let chosen: ThresholdPoint | null = null;
  for (const point of curve) {
    if (!point.eligible) continue;
    const better =
      chosen === null ||
      point.avgNetReturn! > chosen.avgNetReturn! ||
      (point.avgNetReturn === chosen.avgNetReturn && point.trades > chosen.trades);
    if (better) chosen = point;
  }
  return { threshold: chosen?.threshold ?? null, chosen, curve };
}
