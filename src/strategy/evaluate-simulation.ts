/**
 * A simulation's verdict, without I/O: its out-of-sample periods stitched into one replay in which each
 * minute decides with the champion of that minute, beside the same baselines as the backtest on the
 * same minutes and fees: not trading, the ridge refitted at the same moments (each period trading
 * with the newest fit), and random entries with the strategy's pairs and sides (the p-value).
 */
import type { Config } from '../config/schema.js';
import { coinWeights, modelTargets, type TargetMatrix } from '../features/targets.js';
import type { MarketFrame } from '../lake/frame.js';
import { coinMetrics, meanCoinMetrics } from '../prediction-metrics.js';
import { noTradeBaseline } from './baselines/no-trade.js';
import { randomBaseline, type RandomBaselineResult } from './baselines/random.js';
import type { ScheduledStrategy } from './backtest.js';
import { costCurve, type BreakEvenCosts, type CostCurve } from './cost-curve.js';
import {
  costSweep,
  sweepBreakEven,
  sweepCosts,
  type CostSweep,
  type SweepBreakEven,
  type SweepSegment,
} from './cost-sweep.js';
import { contender, rowRange, verdictOf, type ContenderResult, type Verdict } from './evaluate.js';
import { executionModel, type ExecutionModel } from './execution.js';
import type { StrategyParams } from './params.js';
import type { Period, PerformanceMetrics } from './performance.js';

export interface SimulatedPeriod extends Period {
  championId: string;
  valIc: number | null;
  /** The champion's thresholds; null: it has none and does not trade. */
  strategy: StrategyParams | null;
  ridgeStrategy: StrategyParams | null;
  /** [minute][coin] over the period. */
  predictions: Float32Array;
  ridgePredictions: Float32Array;
}

export interface PeriodOutcome extends Period {
  championId: string;
  valIc: number | null;
  /** Mean IC over coins of the champion's predictions with the realised target (raw or residual) of the period. */
  realisedIc: number | null;
  /** Trades entered in the period, and the sum of their net returns. */
  trades: number;
  netReturn: number;
}

export interface SimulationEvaluation {
  symbols: string[];
  period: Period;
  feeRatePerSide: number;
  horizonMinutes: number;
  execution: ExecutionModel;
  periods: PeriodOutcome[];
  /** The trades made at the configured cost, re-priced at each cost per side (thresholds fixed), and where that crosses zero. */
  costCurve: CostCurve;
  costCurveBreakEvenCostPerSide: BreakEvenCosts;
  /** Each champion's thresholds refitted on its own validation data at every fee per side (null: not asked for). */
  costSweep: CostSweep | null;
  breakEvenCostPerSide: SweepBreakEven | null;
  strategy: ContenderResult;
  baselines: { noTrade: PerformanceMetrics; ridge: ContenderResult; random: RandomBaselineResult };
  verdict: Verdict;
}

export interface SimulationEvaluationInput {
  /** Prices from the first period's start to `horizonMinutes` past the last one's end. */
  frame: MarketFrame;
  /** Consecutive periods, oldest first. */
  periods: readonly SimulatedPeriod[];
  /** `execution` is the fill model every contender trades under, as in the backtest. */
  config: Pick<Config, 'horizonMinutes' | 'strategy' | 'execution' | 'target' | 'coinWeights'>;
  randomSimulations?: number;
  seed?: number;
  /**
   * Per period, the refit of its champion's thresholds at an execution model's fees (its own validation
   * predictions, as training fitted them), for the cost sweep; absent: no sweep.
   */
  refitChampion?: (period: SimulatedPeriod, execution: ExecutionModel) => StrategyParams | null;
}

export function evaluateSimulation(input: SimulationEvaluationInput): SimulationEvaluation {
  const { frame, periods, config } = input;
  const overall: Period = { fromMs: periods[0]!.fromMs, toMs: periods.at(-1)!.toMs };
  // IC against what the models learn (raw or residual returns), as the backtest scores it
  const weights = coinWeights(config.coinWeights, frame.symbols);
  const targets = modelTargets(frame, config.horizonMinutes, config.target, weights);
  const execution = executionModel(config.execution, frame.symbols, config.strategy.feeRatePerSide);
  const idle = idleStrategy(config, overall);
  const trade = (pick: (period: SimulatedPeriod) => [Float32Array, StrategyParams | null]) => {
    const predictions = stitch(frame, periods, (period) => pick(period)[0]);
    const [first, ...changes] = periods.map((period): ScheduledStrategy => ({
      fromMs: period.fromMs,
      strategy: pick(period)[1] ?? idle,
    }));
    return contender(frame, targets, predictions, first!.strategy, overall, execution, changes, weights);
  };
  const strategy = trade((period) => [period.predictions, period.strategy]);
  const ridge = trade((period) => [period.ridgePredictions, period.ridgeStrategy]);
  const random = randomBaseline({
    frame,
    period: overall,
    trades: strategy.trades,
    strategyAvgNetReturn: strategy.overall.avgNetReturn,
    horizonMinutes: config.horizonMinutes,
    execution,
    simulations: input.randomSimulations,
    seed: input.seed,
  });
  const { refitChampion } = input;
  const sweep =
    refitChampion === undefined
      ? null
      : costSweep({
          frame,
          predictions: stitch(frame, periods, (period) => period.predictions),
          period: overall,
          segments: periods.map((period): SweepSegment => ({
            fromMs: period.fromMs,
            fit: (atCost) => refitChampion(period, atCost),
          })),
          idle,
          execution,
          costs: sweepCosts(config.execution, config.strategy.feeRatePerSide),
          thresholdCandidatesPerSide: config.strategy.thresholdCandidates,
          seed: input.seed,
        });
  return {
    symbols: [...frame.symbols],
    period: overall,
    costSweep: sweep,
    breakEvenCostPerSide: sweep === null ? null : sweepBreakEven(sweep),
    feeRatePerSide: execution.venue.takerFeeRatePerSide,
    horizonMinutes: config.horizonMinutes,
    execution,
    periods: periods.map((period) => outcome(frame, targets, period, strategy)),
    strategy,
    ...costCurve(strategy.trades, frame.symbols),
    baselines: { noTrade: noTradeBaseline(overall), ridge, random },
    verdict: verdictOf(strategy, ridge, random),
  };
}

/** The periods' predictions on the frame's rows, NaN outside them. */
function stitch(
  frame: MarketFrame,
  periods: readonly SimulatedPeriod[],
  pick: (period: SimulatedPeriod) => Float32Array,
): Float32Array {
  const coinCount = frame.symbols.length;
  const stitched = new Float32Array(frame.length * coinCount).fill(Number.NaN);
  for (const period of periods) {
    const rows = rowRange(frame, period);
    stitched.set(pick(period).subarray(0, (rows.to - rows.from) * coinCount), rows.from * coinCount);
  }
  return stitched;
}

function outcome(
  frame: MarketFrame,
  targets: TargetMatrix,
  period: SimulatedPeriod,
  strategy: ContenderResult,
): PeriodOutcome {
  const coinCount = frame.symbols.length;
  const rows = rowRange(frame, period);
  const slice = { from: rows.from * coinCount, to: rows.to * coinCount };
  const predictions = period.predictions.subarray(0, slice.to - slice.from);
  const ic = meanCoinMetrics(
    coinMetrics(
      predictions,
      targets.values.subarray(slice.from, slice.to),
      targets.mask.subarray(slice.from, slice.to),
      coinCount,
    ),
  ).ic;
  const trades = strategy.trades.filter(
    (trade) => trade.entryTimeMs >= period.fromMs && trade.entryTimeMs < period.toMs,
  );
  return {
    fromMs: period.fromMs,
    toMs: period.toMs,
    championId: period.championId,
    valIc: period.valIc,
    realisedIc: Number.isFinite(ic) ? ic : null,
    trades: trades.length,
    netReturn: trades.reduce((sum, trade) => sum + trade.netReturn, 0),
  };
}

/** The strategy of a champion without thresholds: the same rules, no pair to trade. */
function idleStrategy(config: SimulationEvaluationInput['config'], period: Period): StrategyParams {
  return {
    version: 1,
    horizonMinutes: config.horizonMinutes,
    feeRatePerSide: config.strategy.feeRatePerSide,
    overlap: config.strategy.overlap,
    minTrades: config.strategy.minTrades,
    calibrated: config.strategy.calibration,
    validation: { fromMs: period.fromMs, toMs: period.fromMs, splitMs: period.fromMs },
    pairs: {},
  };
}
