/**
 * The backtest's verdict, without I/O: replays the model's strategy over the test period and puts it
 * beside three baselines on the same minutes and fees: not trading, a ridge regression on hand-crafted
 * features with thresholds chosen the same way, and random entries with the same pairs, sides and
 * trade count. Everything the report shows comes from here.
 */
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { forwardReturns, type TargetMatrix } from '../features/targets.js';
import type { MarketFrame } from '../lake/frame.js';
import { pearson, weightedCorrelation } from '../statistics.js';
import { MINUTE_MS } from '../time.js';
import { handCraftedFeatures } from './baselines/hand-features.js';
import { noTradeBaseline } from './baselines/no-trade.js';
import { randomBaseline, type RandomBaselineResult } from './baselines/random.js';
import { ridgePredictions } from './baselines/ridge.js';
import { replay, type BacktestTrade, type MakerFills, type ScheduledStrategy } from './backtest.js';
import { applyCalibration } from './calibration.js';
import { costCurve, type BreakEvenCosts, type CostCurve } from './cost-curve.js';
import { costSweep, sweepBreakEven, sweepCosts, type CostSweep, type SweepBreakEven } from './cost-sweep.js';
import { executionModel, type ExecutionModel } from './execution.js';
import { fitStrategyOnFrame, prepareFitOnFrame } from './fit.js';
import type { StrategyParams } from './params.js';
import { summariseByPair, type Period, type PerformanceMetrics } from './performance.js';

export interface Splits {
  train: Period;
  validation: Period;
  test: Period;
}

export interface EvaluateInput {
  /** Candles from the start of training to `horizonMinutes` past the test period. */
  frame: MarketFrame;
  /** The model's raw predictions [row][coin] on the frame (NaN where none); needed on the test rows. */
  modelPredictions: Float32Array | Float64Array;
  /** The model's thresholds.json. */
  modelStrategy: StrategyParams;
  splits: Splits;
  /**
   * The model's target on the frame (features/targets.ts `modelTargets`): what IC, calibration bins and
   * the ridge baseline are scored and fitted against. Default: raw forward returns.
   */
  modelTargets?: TargetMatrix;
  /** Per-coin weights of the weighted correlation, frame symbol order (default: equal). */
  coinWeights?: readonly number[];
  /** `execution` is the fill model every contender trades under. */
  config: Pick<Config, 'horizonMinutes' | 'strategy' | 'execution'>;
  randomSimulations?: number;
  seed?: number;
  /**
   * Also refit the strategy with calibration switched the other way on the model's validation
   * predictions (which `modelPredictions` must then cover) and replay it, for the raw vs calibrated comparison.
   */
  compareCalibration?: boolean;
}

export interface ContenderResult {
  params: StrategyParams;
  trades: BacktestTrade[];
  /** Positions the data could not close (no candle after their exit minute). */
  unclosed: number;
  /** Short signals a long-only venue dropped. */
  droppedShorts: number;
  /** Maker entries' fill rate and adverse selection; null unless entries are maker orders. */
  makerFills: MakerFills | null;
  overall: PerformanceMetrics;
  perPair: Record<string, PerformanceMetrics>;
  /** Pearson IC of the raw predictions with the model's target on the test period, per pair (null: undefined). */
  ic: Record<string, number | null>;
  /** The G-Research weighted correlation over all pairs on the test period (null: undefined). */
  weightedCorrelation: number | null;
}

export interface CalibrationBin {
  meanPredicted: number;
  meanRealised: number;
  count: number;
}

export interface Verdict {
  /** Pairs whose test trades averaged a positive net return after fees. */
  pairsClearingFees: { symbol: string; trades: number; avgNetReturn: number }[];
  beats: { noTrade: boolean; ridge: boolean; random: boolean };
  beatsAllBaselines: boolean;
  /** One plain sentence for the report and the terminal. */
  summary: string;
}

export interface BacktestResult {
  symbols: string[];
  period: Period;
  feeRatePerSide: number;
  horizonMinutes: number;
  /** How every contender's trades filled: entry price rule and slippage per pair. */
  execution: ExecutionModel;
  strategy: ContenderResult;
  /** The test trades made at the configured cost, re-priced at each cost per side (thresholds fixed). */
  costCurve: CostCurve;
  /** Where that re-priced average reaches zero. */
  costCurveBreakEvenCostPerSide: BreakEvenCosts;
  /** Thresholds refitted on validation at each fee per side, the test traded at it (cost-sweep.ts). */
  costSweep: CostSweep;
  /** The sweep's break-even: highest fee per side with test profit at p < 0.05 (null: none). */
  breakEvenCostPerSide: SweepBreakEven;
  /** Test-period predictions against realised returns, pooled over pairs, in decile bins. */
  calibrationBins: { raw: CalibrationBin[]; calibrated: CalibrationBin[] };
  baselines: { noTrade: PerformanceMetrics; ridge: ContenderResult; random: RandomBaselineResult };
  /** The same model traded with calibration the other way round (null unless asked for). */
  calibrationAlternative: {
    calibrated: boolean;
    overall: PerformanceMetrics;
    perPair: Record<string, PerformanceMetrics>;
  } | null;
  verdict: Verdict;
}

/** The random baseline must land this unlikely before the strategy counts as beating it. */
export const SIGNIFICANCE_LEVEL = 0.05;
const CALIBRATION_BINS = 10;

export function rowRange(frame: MarketFrame, period: Period): { from: number; to: number } {
  return {
    from: Math.max(0, Math.ceil((period.fromMs - frame.startTimeMs) / MINUTE_MS)),
    to: Math.min(frame.length, Math.ceil((period.toMs - frame.startTimeMs) / MINUTE_MS)),
  };
}

/** Per pair, the prediction/realised pairs of a row range where both are real. */
function pairedColumn(
  predictions: ArrayLike<number>,
  targets: TargetMatrix,
  coin: number,
  rows: { from: number; to: number },
): [number[], number[]] {
  const coinCount = targets.symbols.length;
  const predicted: number[] = [];
  const realised: number[] = [];
  for (let row = rows.from; row < rows.to; row++) {
    const at = row * coinCount + coin;
    if (targets.mask[at] !== 1 || !Number.isFinite(predictions[at]!)) continue;
    predicted.push(predictions[at]!);
    realised.push(targets.values[at]!);
  }
  return [predicted, realised];
}

/** One contender's trades over `period` through the replay, with its metrics and IC per pair. */
export function contender(
  frame: MarketFrame,
  targets: TargetMatrix,
  predictions: Float32Array | Float64Array,
  params: StrategyParams,
  period: Period,
  execution: ExecutionModel,
  strategyChanges?: readonly ScheduledStrategy[],
  /** Weights of the weighted correlation, frame symbol order (default: equal). */
  coinWeights: readonly number[] = frame.symbols.map(() => 1),
): ContenderResult {
  const { trades, unclosed, droppedShorts, makerFills } = replay({
    frame,
    predictions,
    strategy: params,
    strategyChanges,
    period,
    execution,
  });
  const { overall, perPair } = summariseByPair(trades, frame.symbols, period);
  const rows = rowRange(frame, period);
  const ic: Record<string, number | null> = {};
  frame.symbols.forEach((symbol, coin) => {
    const value = pearson(...pairedColumn(predictions, targets, coin, rows));
    ic[symbol] = Number.isFinite(value) ? value : null;
  });
  const coinCount = frame.symbols.length;
  const slice = { from: rows.from * coinCount, to: Math.max(rows.from, rows.to) * coinCount };
  const weighted = weightedCorrelation(
    predictions.subarray(slice.from, slice.to),
    targets.values.subarray(slice.from, slice.to),
    targets.mask.subarray(slice.from, slice.to),
    coinWeights,
  );
  return {
    params,
    trades,
    unclosed: unclosed.length,
    droppedShorts,
    makerFills,
    overall,
    perPair,
    ic,
    weightedCorrelation: Number.isFinite(weighted) ? weighted : null,
  };
}

function bins(predicted: number[], realised: number[]): CalibrationBin[] {
  const order = predicted.map((_, i) => i).sort((a, b) => predicted[a]! - predicted[b]!);
  const result: CalibrationBin[] = [];
  for (let bin = 0; bin < CALIBRATION_BINS; bin++) {
    const members = order.slice(
      Math.floor((bin * order.length) / CALIBRATION_BINS),
      Math.floor(((bin + 1) * order.length) / CALIBRATION_BINS),
    );
    if (members.length === 0) continue;
    const meanOf = (values: number[]): number =>
      members.reduce((sum, i) => sum + values[i]!, 0) / members.length;
    result.push({ meanPredicted: meanOf(predicted), meanRealised: meanOf(realised), count: members.length });
  }
  return result;
}

function calibrationBins(
  frame: MarketFrame,
  targets: TargetMatrix,
  predictions: ArrayLike<number>,
  params: StrategyParams,
  period: Period,
) {
  const raw: number[] = [];
  const calibrated: number[] = [];
  const realised: number[] = [];
  const rows = rowRange(frame, period);
  frame.symbols.forEach((symbol, coin) => {
    const [predicted, actual] = pairedColumn(predictions, targets, coin, rows);
    const calibration = params.pairs[symbol]?.calibration ?? null;
    predicted.forEach((value, i) => {
      raw.push(value);
      calibrated.push(applyCalibration(calibration, value));
      realised.push(actual[i]!);
    });
  });
  return { raw: bins(raw, realised), calibrated: bins(calibrated, realised) };
}

const percent = (value: number): string => `${(value * 100).toFixed(3)}%`;

export function verdictOf(
  strategy: ContenderResult,
  ridge: ContenderResult,
  random: RandomBaselineResult,
): Verdict {
  const pairsClearingFees = Object.entries(strategy.perPair)
    .filter(([, metrics]) => metrics.trades > 0 && metrics.avgNetReturn! > 0)
    .map(([symbol, metrics]) => ({ symbol, trades: metrics.trades, avgNetReturn: metrics.avgNetReturn! }));
  const { overall } = strategy;
  const beats = {
    noTrade: overall.trades > 0 && overall.totalNetReturn > 0,
    ridge: overall.trades > 0 && overall.totalNetReturn > ridge.overall.totalNetReturn,
    random: overall.trades > 0 && random.pValue < SIGNIFICANCE_LEVEL,
  };
  const beatsAllBaselines = beats.noTrade && beats.ridge && beats.random;
  const pairs =
    pairsClearingFees.length === 0
      ? 'No pair clears fees on the test period'
      : `${pairsClearingFees.length} of ${Object.keys(strategy.perPair).length} pairs clear fees on the test period (${pairsClearingFees
          .map((pair) => `${pair.symbol}: ${percent(pair.avgNetReturn)} per trade over ${pair.trades} trades`)
          .join('; ')})`;
  const overallText =
    overall.trades === 0
      ? 'the strategy made no trade'
      : `overall ${overall.trades} trades averaged ${percent(overall.avgNetReturn!)} net (total ${percent(overall.totalNetReturn)}), random-entry p-value ${random.pValue.toFixed(3)}`;
  const baselineText = beatsAllBaselines
    ? 'it beats all three baselines'
    : `it does not beat ${(['noTrade', 'ridge', 'random'] as const).filter((name) => !beats[name]).join(', ')}`;
  return {
    pairsClearingFees,
    beats,
    beatsAllBaselines,
    summary: `${pairs}; ${overallText}; ${baselineText}.`,
  };
}

/** A fit, or null where the data cannot support one (too few validation samples). */
export function fitOrIdle(fit: () => StrategyParams): StrategyParams | null {
  try {
    return fit();
  } catch (error) {
    if (error instanceof Alpha15Error) return null;
    throw error;
  }
}

export function evaluateBacktest(input: EvaluateInput): BacktestResult {
  const { frame, splits, modelStrategy } = input;
  const rules = sharedRules(input);
  const { execution, targets, weights } = rules;
  const strategy = contender(
    frame,
    targets,
    input.modelPredictions,
    modelStrategy,
    splits.test,
    execution,
    undefined,
    weights,
  );
  const ridgeRows = ridgePredictions(
    frame,
    handCraftedFeatures(frame),
    targets,
    rowRange(frame, splits.train),
  );
  const ridge = contender(
    frame,
    targets,
    ridgeRows,
    fitOnValidation(input, rules, ridgeRows, rules.config.strategy.calibration),
    splits.test,
    execution,
    undefined,
    weights,
  );
  const random = randomBaseline({
    frame,
    period: splits.test,
    trades: strategy.trades,
    strategyAvgNetReturn: strategy.overall.avgNetReturn,
    horizonMinutes: modelStrategy.horizonMinutes,
    execution,
    simulations: input.randomSimulations,
    seed: input.seed,
  });
  const sweep = modelCostSweep(input, rules);
  return {
    symbols: [...frame.symbols],
    period: splits.test,
    costSweep: sweep,
    breakEvenCostPerSide: sweepBreakEven(sweep),
    feeRatePerSide: execution.venue.takerFeeRatePerSide,
    horizonMinutes: modelStrategy.horizonMinutes,
    execution,
    strategy,
    ...costCurve(strategy.trades, frame.symbols),
    calibrationBins: calibrationBins(frame, targets, input.modelPredictions, modelStrategy, splits.test),
    baselines: { noTrade: noTradeBaseline(splits.test), ridge, random },
    calibrationAlternative: input.compareCalibration ? calibrationAlternative(input, rules) : null,
    verdict: verdictOf(strategy, ridge, random),
  };
}

/** What every contender of one backtest shares: the trading rules, the fill model, the target and weights. */
interface SharedRules {
  config: Pick<Config, 'horizonMinutes' | 'strategy' | 'execution'>;
  execution: ExecutionModel;
  targets: TargetMatrix;
  weights: readonly number[];
}

function sharedRules(input: EvaluateInput): SharedRules {
  const { frame, modelStrategy } = input;
  // Every contender trades under the rules the model's thresholds were chosen with: same horizon, fee,
  // overlap rule and minimum trade count.
  const config = {
    horizonMinutes: modelStrategy.horizonMinutes,
    strategy: {
      ...input.config.strategy,
      feeRatePerSide: modelStrategy.feeRatePerSide,
      overlap: modelStrategy.overlap,
      minTrades: modelStrategy.minTrades,
    },
    execution: input.config.execution,
  };
  return {
    config,
    execution: executionModel(config.execution, frame.symbols, modelStrategy.feeRatePerSide),
    targets: input.modelTargets ?? forwardReturns(frame, config.horizonMinutes),
    weights: input.coinWeights ?? frame.symbols.map(() => 1),
  };
}

/** A strategy fitted on the validation period's predictions, under the shared rules. */
function fitOnValidation(
  input: EvaluateInput,
  rules: SharedRules,
  predictions: Float32Array | Float64Array,
  calibration: boolean,
): StrategyParams {
  return fitStrategyOnFrame({
    frame: input.frame,
    predictions,
    period: input.splits.validation,
    config: { ...rules.config, strategy: { ...rules.config.strategy, calibration } },
    execution: rules.execution,
  });
}

/** The model refitted with calibration switched the other way, replayed on the test period. */
function calibrationAlternative(
  input: EvaluateInput,
  rules: SharedRules,
): NonNullable<BacktestResult['calibrationAlternative']> {
  const calibrated = !input.modelStrategy.calibrated;
  const alternative = contender(
    input.frame,
    rules.targets,
    input.modelPredictions,
    fitOnValidation(input, rules, input.modelPredictions, calibrated),
    input.splits.test,
    rules.execution,
    undefined,
    rules.weights,
  );
  return { calibrated, overall: alternative.overall, perPair: alternative.perPair };
}

/**
 * The model's thresholds refitted on its validation predictions at every cost, replayed on the test
 * period; where the validation period cannot support a fit, that cost does not trade.
 */
function modelCostSweep(input: EvaluateInput, rules: SharedRules): CostSweep {
  const { frame, splits, modelStrategy } = input;
  const { config, execution } = rules;
  const fitModelAt = prepareFitOnFrame({
    frame,
    predictions: input.modelPredictions,
    period: splits.validation,
    config: { ...config, strategy: { ...config.strategy, calibration: modelStrategy.calibrated } },
  });
  return costSweep({
    frame,
    predictions: input.modelPredictions,
    period: splits.test,
    segments: [
      {
        fromMs: splits.test.fromMs,
        fit: (atCost) => fitOrIdle(() => fitModelAt(atCost)),
      },
    ],
    idle: { ...modelStrategy, pairs: {} },
    execution,
    costs: sweepCosts(config.execution, modelStrategy.feeRatePerSide),
    thresholdCandidatesPerSide: config.strategy.thresholdCandidates,
    seed: input.seed,
  });
}
