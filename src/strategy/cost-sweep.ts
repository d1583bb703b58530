/**
 * The cost sweep: how far a model is from paying for itself, with thresholds refitted at every cost.
 * For each fee per side c (0 to 0.2% in 2 bp steps, plus the fee tiers of the configured venues), the
 * strategy is fitted on validation as if c were the account's fee (both legs, maker or taker), then the
 * test period is traded at c: trades, hit rate, average and total net, and the random-entry p-value.
 * Slippage, the fill model, borrow and funding stay as configured, so c is what an account's fee would
 * have to be. Nothing here looks at the test period to choose anything: each c is fitted on validation
 * alone, and the test figures are reported at every c.
 *
 * The break-even cost is the highest c whose test period made money with p < SIGNIFICANCE_LEVEL; where no
 * c qualifies it is null, and the largest c that made money at any p is reported beside it.
 *
 * Unlike the cost curve (cost-curve.ts), which re-prices the trades made at the configured cost, the
 * sweep lets the trades change with c: a lower fee admits more thresholds, so trades appear where the
 * configured cost had none.
 */
import type { ExecutionConfig } from '../config/schema.js';
import type { MarketFrame } from '../lake/frame.js';
import { randomBaseline } from './baselines/random.js';
import { replay, type ScheduledStrategy } from './backtest.js';
import type { ExecutionModel } from './execution.js';
import { pairTrades, type StrategyParams } from './params.js';
import { summariseTrades, type Period } from './performance.js';
import { atFeePerSide } from './venue.js';

/** The random baseline must land this unlikely before a cost counts as paid for. */
export const SWEEP_SIGNIFICANCE_LEVEL = 0.05;
/** Random-entry runs per cost: 100 resolve p = 0.05 (its step is 0.01) at a tenth of the backtest's work. */
export const SWEEP_RANDOM_SIMULATIONS = 100;
/** The sweep's grid: 0 to 0.2% per side in steps of 0.02% (2 bp), beside the venues' fee tiers. */
export const SWEEP_GRID_PER_SIDE: readonly number[] = Array.from({ length: 11 }, (_, i) => (2 * i) / 10_000);

/** A fee per side the sweep visits, with the venue tiers it equals. */
export interface SweepCost {
  costPerSide: number;
  labels: string[];
}

export interface CostSweepPoint extends SweepCost {
  trades: number;
  hitRate: number | null;
  avgNetReturn: number | null;
  totalNetReturn: number;
  /** Random-entry p-value of the average net return; null without trades. */
  pValue: number | null;
  /** Pairs with at least one side's threshold after the fit at this cost (of all segments). */
  pairsTrading: number;
}

export interface CostSweep {
  /** What `costPerSide` is: the fee on each leg, with the configured slippage, borrow and funding on top. */
  cost: 'fee per side on both legs; slippage, borrow and funding as configured';
  points: CostSweepPoint[];
  /** The configurations behind the figures: pairs, threshold candidates per side, costs, venues. */
  configurations: { pairs: number; thresholdCandidatesPerSide: number; costs: number; venues: 1 };
  venue: ExecutionConfig['venue'];
  entry: ExecutionConfig['entry'];
  randomSimulations: number;
}

export interface SweepBreakEven {
  /** Highest cost per side whose test period made money with p < 0.05; null: none did. */
  costPerSide: number | null;
  /** Largest cost per side whose test period made money at any p; null: none did. */
  largestProfitableCostPerSide: number | null;
  /** True when the highest cost of the sweep qualifies: the break-even lies at or beyond it. */
  atTopOfSweep: boolean;
}

/**
 * The sweep's costs: the 0 to 0.2% grid, the spot taker and maker fees and every tier of the futures fee
 * table, each labelled with the tiers it equals.
 */
export function sweepCosts(execution: ExecutionConfig, spotTakerFeeRatePerSide: number): SweepCost[] {
  const labels = new Map<number, string[]>(SWEEP_GRID_PER_SIDE.map((cost) => [cost, []]));
  const add = (cost: number, label: string) => {
    const key = Math.round(cost * 1e9) / 1e9;
    labels.set(key, [...(labels.get(key) ?? []), label]);
  };
  add(spotTakerFeeRatePerSide, 'spot taker');
  add(execution.spotMakerFeeRatePerSide, 'spot maker');
  for (const [tier, fees] of Object.entries(execution.usdmFutures.feeTiers)) {
    add(fees.taker, `usdm-futures ${tier} taker`);
    add(fees.maker, `usdm-futures ${tier} maker`);
  }
  return [...labels.entries()]
    .sort(([a], [b]) => a - b)
    .map(([costPerSide, names]) => ({ costPerSide, labels: names }));
}

/** One span of the test period traded by one strategy, refitted on its own validation data at each cost. */
export interface SweepSegment {
  fromMs: number;
  /** The strategy fitted at the execution model's fees; null: this segment does not trade. */
  fit: (execution: ExecutionModel) => StrategyParams | null;
}

export interface CostSweepInput {
  frame: MarketFrame;
  /** Predictions [row][coin] on the frame (NaN where none), covering the test period. */
  predictions: ArrayLike<number>;
  period: Period;
  /** Consecutive segments, oldest first; the first decides from the period's start. */
  segments: readonly SweepSegment[];
  /** The strategy of a segment that does not trade. */
  idle: StrategyParams;
  execution: ExecutionModel;
  costs: readonly SweepCost[];
  thresholdCandidatesPerSide: number;
  randomSimulations?: number;
  seed?: number;
}

export function costSweep(input: CostSweepInput): CostSweep {
  const { frame, period } = input;
  const randomSimulations = input.randomSimulations ?? SWEEP_RANDOM_SIMULATIONS;
  const points = input.costs.map((cost): CostSweepPoint => {
    const execution = { ...input.execution, venue: atFeePerSide(input.execution.venue, cost.costPerSide) };
    const fitted = input.segments.map((segment) => segment.fit(execution) ?? input.idle);
    const [first, ...rest] = fitted;
    const changes: ScheduledStrategy[] = rest.map((strategy, i) => ({
      fromMs: input.segments[i + 1]!.fromMs,
      strategy,
    }));
    const pairsTrading = new Set(
      fitted.flatMap((strategy) =>
        Object.keys(strategy.pairs).filter((symbol) => pairTrades(strategy.pairs[symbol])),
      ),
    ).size;
    // no threshold at this cost: nothing can trade, and the replay would only confirm it
    const { trades } =
      pairsTrading === 0
        ? { trades: [] }
        : replay({
            frame,
            predictions: input.predictions,
            strategy: first ?? input.idle,
            strategyChanges: changes,
            period,
            execution,
          });
    const metrics = summariseTrades(trades, period);
    const random =
      trades.length === 0
        ? null
        : randomBaseline({
            frame,
            period,
            trades,
            strategyAvgNetReturn: metrics.avgNetReturn,
            horizonMinutes: (first ?? input.idle).horizonMinutes,
            execution,
            simulations: randomSimulations,
            seed: input.seed,
          });
    return {
      ...cost,
      trades: metrics.trades,
      hitRate: metrics.hitRate,
      avgNetReturn: metrics.avgNetReturn,
      totalNetReturn: metrics.totalNetReturn,
      pValue: random?.pValue ?? null,
      pairsTrading,
    };
  });
  return {
    cost: 'fee per side on both legs; slippage, borrow and funding as configured',
    points,
    configurations: {
      pairs: frame.symbols.length,
      thresholdCandidatesPerSide: input.thresholdCandidatesPerSide,
      costs: points.length,
      venues: 1,
    },
    venue: input.execution.venue.venue,
    entry: input.execution.entry,
    randomSimulations,
  };
}

export function sweepBreakEven(sweep: Pick<CostSweep, 'points'>): SweepBreakEven {
  const profitable = sweep.points.filter((point) => point.trades > 0 && point.totalNetReturn > 0);
  const significant = profitable.filter(
    (point) => point.pValue !== null && point.pValue < SWEEP_SIGNIFICANCE_LEVEL,
  );
  const highest = (points: CostSweepPoint[]) =>
    points.length === 0 ? null : Math.max(...points.map((point) => point.costPerSide));
  const costPerSide = highest(significant);
  const top = highest(sweep.points);
  return {
    costPerSide,
    largestProfitableCostPerSide: highest(profitable),
    atTopOfSweep: costPerSide !== null && costPerSide === top,
  };
}
