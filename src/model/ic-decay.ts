/**
 * IC decay: how the same predictions correlate with the target at other horizons. A model trained for
 * 15 minutes whose IC peaks at 1 minute has learned something short-lived (and a 15-minute trade holds
 * it too long); one whose IC grows with the horizon is riding a slow drift. Scored against the model's
 * own kind of target (raw or residual) at each horizon, on the same decision minutes.
 */
import type { TargetKind } from '../config/schema.js';
import { modelTargets } from '../features/targets.js';
import type { MarketFrame } from '../lake/frame.js';
import { coinMetrics, meanCoinMetrics } from '../prediction-metrics.js';
import { weightedCorrelation } from '../statistics.js';

export const IC_DECAY_HORIZONS_MINUTES: readonly number[] = [1, 5, 15, 30, 60];

export interface IcAtHorizon {
  horizonMinutes: number;
  /** Per-coin Pearson IC averaged over coins (NaN, null in JSON, when undefined). */
  ic: number;
  rankIc: number;
  weightedCorrelation: number;
  /** Real (minute, coin) entries scored. */
  samples: number;
}

export interface IcDecayInput {
  frame: MarketFrame;
  /** The frame rows the predictions were made at (decision minutes). */
  rows: ArrayLike<number>;
  /** Predictions [sample][coin] in `rows` order and frame symbol order; NaN where none. */
  predictions: ArrayLike<number>;
  target: TargetKind;
  coinWeights: readonly number[];
  horizonsMinutes?: readonly number[];
}

export function icDecay(input: IcDecayInput): IcAtHorizon[] {
  const { frame, rows } = input;
  const coinCount = frame.symbols.length;
  if (input.predictions.length !== rows.length * coinCount) {
    throw new RangeError(
      `icDecay: ${input.predictions.length} predictions for ${rows.length} rows × ${coinCount} coins`,
    );
  }
  const predicted = Float32Array.from(input.predictions);
  return (input.horizonsMinutes ?? IC_DECAY_HORIZONS_MINUTES).map((horizonMinutes) => {
    const targets = modelTargets(frame, horizonMinutes, input.target, input.coinWeights);
    const realised = new Float32Array(predicted.length);
    const mask = new Uint8Array(predicted.length);
    for (let sample = 0; sample < rows.length; sample++) {
      for (let coin = 0; coin < coinCount; coin++) {
        const at = sample * coinCount + coin;
        const source = rows[sample]! * coinCount + coin;
        if (targets.mask[source] !== 1 || !Number.isFinite(predicted[at]!)) continue;
        realised[at] = targets.values[source]!;
        mask[at] = 1;
      }
    }
    const summary = meanCoinMetrics(coinMetrics(predicted, realised, mask, coinCount));
    return {
      horizonMinutes,
      ic: summary.ic,
      rankIc: summary.rankIc,
      weightedCorrelation: weightedCorrelation(predicted, realised, mask, input.coinWeights),
      samples: mask.reduce((sum, flag) => sum + flag, 0),
    };
  });
}
