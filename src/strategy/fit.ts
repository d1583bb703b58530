/**
 * Fits a model's strategy from its validation predictions: per pair a calibration and the long/short
 * thresholds. The training run calls this after training and stores the result as `thresholds.json`
 * beside the model; the backtest's baselines call it on their own validation predictions, so every
 * contender chooses thresholds the same way.
 */
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import type { MarketFrame } from '../lake/frame.js';
import { MINUTE_MS } from '../time.js';
import { applyCalibration, fitCalibration } from './calibration.js';
import { slippageRatePerSide, tradeMoves } from './execution.js';
import type { Period } from './performance.js';
import { strategyParamsSchema, type PairParams, type StrategyParams } from './params.js';
import { chooseSideThreshold, type SweepOptions } from './thresholds.js';

export class StrategyFitError extends Alpha15Error {
  readonly code = 'STRATEGY_FIT';
}

export interface FitStrategyInput {
  symbols: readonly string[];
  /** Raw model outputs, laid out [sample][coin] in `symbols` order. */
  predictions: ArrayLike<number>;
  /**
   * The reference price move each sample's trade would make under the fill model (execution.ts
   * `tradeMoves`; under 'close' fills the raw target `close[t+h]/close[t] − 1`), same layout. Thresholds
   * are priced on what trading earns, whatever target the model learned.
   */
  realised: ArrayLike<number>;
  /** 1 where both prediction and realised move are real, same layout. */
  mask: ArrayLike<number>;
  /** The decision minute of each sample (open time of its last window candle). */
  timesMs: ArrayLike<number>;
  /** Fees and slippage every candidate trade pays (slippage per pair from `execution`). */
  config: Pick<Config, 'horizonMinutes' | 'strategy' | 'execution'>;
}

export function fitStrategy(input: FitStrategyInput): StrategyParams {
  const { symbols, timesMs, config } = input;
  const sampleCount = timesMs.length;
  const coinCount = symbols.length;
  for (const [name, values] of [
    ['predictions', input.predictions],
    ['realised', input.realised],
    ['mask', input.mask],
  ] as const) {
    if (values.length !== sampleCount * coinCount) {
      throw new StrategyFitError(
        `fitStrategy: ${name} holds ${values.length} values, expected ${sampleCount} samples × ${coinCount} coins`,
        'pass [sample][coin] arrays in the order of `symbols`',
      );
    }
  }
  if (sampleCount === 0) {
    throw new StrategyFitError(
      'fitStrategy: no validation samples',
      'use a longer period so the validation split is not empty',
    );
  }
  const order = Array.from({ length: sampleCount }, (_, i) => i).sort((a, b) => timesMs[a]! - timesMs[b]!);
  const fromMs = timesMs[order[0]!]!;
  const toMs = timesMs[order.at(-1)!]!;
  const splitMs = fromMs + (toMs - fromMs) / 2;
  const { strategy } = config;
  const sweep: Omit<SweepOptions, 'slippageRatePerSide'> = {
    feeRatePerSide: strategy.feeRatePerSide,
    minTrades: strategy.minTrades,
    candidates: strategy.thresholdCandidates,
    horizonMinutes: config.horizonMinutes,
    overlap: strategy.overlap,
    splitMs,
  };

  const pairs: Record<string, PairParams> = {};
  symbols.forEach((symbol, coin) => {
    const times: number[] = [];
    const raw: number[] = [];
    const realised: number[] = [];
    for (const sample of order) {
      const index = sample * coinCount + coin;
      const prediction = input.predictions[index]!;
      const move = input.realised[index]!;
      if (!input.mask[index] || !Number.isFinite(prediction) || !Number.isFinite(move)) continue;
      times.push(timesMs[sample]!);
      raw.push(prediction);
      realised.push(move);
    }
    const calibration = strategy.calibration ? fitCalibration(raw, realised) : null;
    const values = strategy.calibration ? raw.map((p) => applyCalibration(calibration, p)) : raw;
    const samples = { timesMs: times, values, realised };
    const pairSweep = { ...sweep, slippageRatePerSide: slippageRatePerSide(config.execution, symbol) };
    pairs[symbol] = {
      calibration,
      long: chooseSideThreshold(samples, 'long', pairSweep),
      short: chooseSideThreshold(samples, 'short', pairSweep),
      validationSamples: times.length,
    };
  });

  return strategyParamsSchema.parse({
    version: 1,
    horizonMinutes: config.horizonMinutes,
    feeRatePerSide: strategy.feeRatePerSide,
    overlap: strategy.overlap,
    minTrades: strategy.minTrades,
    calibrated: strategy.calibration,
    validation: { fromMs, toMs, splitMs },
    pairs,
  });
}

export interface FitOnFrameInput {
  frame: MarketFrame;
  /** Predictions [row][coin] on the frame's rows (NaN where none). */
  predictions: Float32Array | Float64Array;
  /** The validation period (decision minutes). */
  period: Period;
  config: FitStrategyInput['config'];
}

/** `fitStrategy` on the rows of a frame that fall inside the validation period, trades priced by the fill model. */
export function fitStrategyOnFrame(input: FitOnFrameInput): StrategyParams {
  const { frame, config } = input;
  const coinCount = frame.symbols.length;
  const moves = tradeMoves(frame, config.horizonMinutes, config.execution.entry);
  const firstRow = Math.max(0, Math.ceil((input.period.fromMs - frame.startTimeMs) / MINUTE_MS));
  const endRow = Math.min(frame.length, Math.ceil((input.period.toMs - frame.startTimeMs) / MINUTE_MS));
  const rows = Math.max(0, endRow - firstRow);
  const slice = { from: firstRow * coinCount, to: (firstRow + rows) * coinCount };
  return fitStrategy({
    symbols: frame.symbols,
    predictions: input.predictions.subarray(slice.from, slice.to),
    realised: moves.values.subarray(slice.from, slice.to),
    mask: moves.mask.subarray(slice.from, slice.to),
    timesMs: Float64Array.from({ length: rows }, (_, i) => frame.startTimeMs + (firstRow + i) * MINUTE_MS),
    config,
  });
}
