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
import { executionModel, sideTradeMoves, tradeMoves, type ExecutionModel } from './execution.js';
import type { Period } from './performance.js';
import { strategyParamsSchema, type PairParams, type StrategyParams } from './params.js';
import type { Side } from './side.js';
import { chooseSideThreshold, type SweepOptions } from './thresholds.js';
import { movePricer } from './trade-pricing.js';

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
  /**
   * Each side's own trade move and mask where it differs from `realised` (maker entries: the move from
   * the side's limit, masked where it does not fill); calibration always learns `realised`.
   */
  sides?: Record<Side, { realised: ArrayLike<number>; mask: ArrayLike<number> }>;
  /** The decision minute of each sample (open time of its last window candle). */
  timesMs: ArrayLike<number>;
  /** Fees and slippage every candidate trade pays (slippage per pair from `execution`). */
  config: Pick<Config, 'horizonMinutes' | 'strategy' | 'execution'>;
  /** The execution model to price candidates with, when not the config's (the cost sweep's account at cost c). */
  execution?: ExecutionModel;
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
  const execution = input.execution ?? executionModel(config.execution, symbols, strategy.feeRatePerSide);
  const sweep: Omit<SweepOptions, 'price'> = {
    minTrades: strategy.minTrades,
    candidates: strategy.thresholdCandidates,
    horizonMinutes: config.horizonMinutes,
    overlap: strategy.overlap,
    splitMs,
  };

  const pairs: Record<string, PairParams> = {};
  symbols.forEach((symbol, coin) => {
    // one pair's usable samples in time order, from a realised-move array and its mask
    const collect = (realisedValues: ArrayLike<number>, mask: ArrayLike<number>) => {
      const times: number[] = [];
      const raw: number[] = [];
      const realised: number[] = [];
      for (const sample of order) {
        const index = sample * coinCount + coin;
        const prediction = input.predictions[index]!;
        const move = realisedValues[index]!;
        if (!mask[index] || !Number.isFinite(prediction) || !Number.isFinite(move)) continue;
        times.push(timesMs[sample]!);
        raw.push(prediction);
        realised.push(move);
      }
      return { times, raw, realised };
    };
    const reference = collect(input.realised, input.mask);
    const calibration = strategy.calibration ? fitCalibration(reference.raw, reference.realised) : null;
    const pairSweep = { ...sweep, price: movePricer(execution, symbol, config.horizonMinutes) };
    const sideParams = (side: Side) => {
      const own =
        input.sides === undefined ? reference : collect(input.sides[side].realised, input.sides[side].mask);
      const values = strategy.calibration ? own.raw.map((p) => applyCalibration(calibration, p)) : own.raw;
      return chooseSideThreshold({ timesMs: own.times, values, realised: own.realised }, side, pairSweep);
    };
    pairs[symbol] = {
      calibration,
      long: sideParams('long'),
      short: sideParams('short'),
      validationSamples: reference.times.length,
    };
  });

  return strategyParamsSchema.parse({
    version: 1,
    horizonMinutes: config.horizonMinutes,
    feeRatePerSide: execution.venue.takerFeeRatePerSide,
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
  execution?: ExecutionModel;
}

/** `fitStrategy` on the rows of a frame that fall inside the validation period, trades priced by the fill model. */
export function fitStrategyOnFrame(input: FitOnFrameInput): StrategyParams {
  return prepareFitOnFrame(input)(input.execution);
}

/** `fitStrategyOnFrame` with the moves gathered once, for fits at several fees (prepareFitOnRows). */
export function prepareFitOnFrame(
  input: Omit<FitOnFrameInput, 'execution'>,
): (execution?: ExecutionModel) => StrategyParams {
  const { frame } = input;
  const coinCount = frame.symbols.length;
  const firstRow = Math.max(0, Math.ceil((input.period.fromMs - frame.startTimeMs) / MINUTE_MS));
  const endRow = Math.min(frame.length, Math.ceil((input.period.toMs - frame.startTimeMs) / MINUTE_MS));
  const rows = Int32Array.from({ length: Math.max(0, endRow - firstRow) }, (_, i) => firstRow + i);
  return prepareFitOnRows({
    frame,
    rows,
    predictions: input.predictions.subarray(firstRow * coinCount, (firstRow + rows.length) * coinCount),
    config: input.config,
  });
}

export interface FitOnRowsInput {
  frame: MarketFrame;
  /** The decision rows of the validation samples on the frame. */
  rows: ArrayLike<number>;
  /** Predictions [sample][coin] of those rows (NaN where none). */
  predictions: ArrayLike<number>;
  /** 1 where a prediction may be used, same layout (default: everywhere). */
  predictionMask?: ArrayLike<number>;
  config: FitStrategyInput['config'];
  execution?: ExecutionModel;
}

/** `fitStrategy` on chosen rows of a frame, each candidate trade's move taken from the frame by the fill model. */
export function fitStrategyOnRows(input: FitOnRowsInput): StrategyParams {
  return prepareFitOnRows(input)(input.execution);
}

/**
 * The moves of `fitStrategyOnRows` gathered once, and a fit at any execution model's fees: the cost sweep
 * refits the same validation rows at every fee, and the moves do not depend on it.
 */
export function prepareFitOnRows(
  input: Omit<FitOnRowsInput, 'execution'>,
): (execution?: ExecutionModel) => StrategyParams {
  const { frame, config } = input;
  const coinCount = frame.symbols.length;
  const configured = executionModel(config.execution, frame.symbols, config.strategy.feeRatePerSide);
  const gather = (moves: { values: ArrayLike<number>; mask: ArrayLike<number> }) => {
    const realised = new Float32Array(input.rows.length * coinCount);
    const mask = new Uint8Array(input.rows.length * coinCount);
    Array.from(input.rows).forEach((row, sample) => {
      for (let coin = 0; coin < coinCount; coin++) {
        const at = sample * coinCount + coin;
        realised[at] = moves.values[row * coinCount + coin]!;
        mask[at] =
          (input.predictionMask === undefined || input.predictionMask[at] === 1) &&
          moves.mask[row * coinCount + coin] === 1
            ? 1
            : 0;
      }
    });
    return { realised, mask };
  };
  const reference = gather(tradeMoves(frame, config.horizonMinutes, configured.entry));
  const sides =
    configured.entry === 'maker'
      ? {
          long: gather(sideTradeMoves(frame, config.horizonMinutes, configured, 'long')),
          short: gather(sideTradeMoves(frame, config.horizonMinutes, configured, 'short')),
        }
      : undefined;
  const timesMs = Float64Array.from(input.rows, (row) => frame.startTimeMs + row * MINUTE_MS);
  return (execution = configured) =>
    fitStrategy({
      symbols: frame.symbols,
      predictions: input.predictions,
      ...reference,
      sides,
      timesMs,
      config,
      execution,
    });
}
