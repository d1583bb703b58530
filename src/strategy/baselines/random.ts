/**
 * The random baseline: Monte Carlo runs that keep every strategy trade's pair and side but draw its
 * entry minute uniformly from the test period. Matching pair and side controls for a lucky drift
 * (a strategy that is simply long in a rising market), so the share of runs that do at least as well
 * as the strategy is an honest p-value for its timing.
 */
import type { MarketFrame } from '../../lake/frame.js';
import { mulberry32 } from '../../random.js';
import { MINUTE_MS } from '../../time.js';
import { entryFill, fillPrice, fillRow, type ExecutionModel } from '../execution.js';
import {
  summariseTrades,
  type ClosedTradeReturn,
  type Period,
  type PerformanceMetrics,
} from '../performance.js';
import type { Side } from '../side.js';
import { pricedNetReturn } from '../trade-pricing.js';
import type { Liquidity } from '../venue.js';

export const DEFAULT_RANDOM_SIMULATIONS = 1000;

export interface RandomBaselineInput {
  frame: MarketFrame;
  period: Period;
  /** The strategy's trades: only their pair and side are kept. */
  trades: readonly { symbol: string; side: Side }[];
  /** The statistic to beat: the strategy's average net return per trade. */
  strategyAvgNetReturn: number | null;
  horizonMinutes: number;
  /**
   * The strategy's fill model and venue: random entries fill and pay exactly as its trades do (under
   * maker entries, only minutes whose limit for that side would have filled are drawn).
   */
  execution: ExecutionModel;
  simulations?: number;
  seed?: number;
}

export interface RandomBaselineResult {
  /** Metrics of the run whose average net return is the median of all runs. */
  metrics: PerformanceMetrics;
  /** Share of runs (with the strategy's own counted once) whose average net return reaches the strategy's. */
  pValue: number;
  simulations: number;
  /** Average net return per trade of each run, for the report's histogram. */
  avgNetReturns: number[];
}

/** One fillable entry of a pair and side: its decision row, fills and reference prices. */
interface PossibleEntry {
  row: number;
  entryRow: number;
  exitRow: number;
  entryReferencePrice: number;
  exitReferencePrice: number;
  entryLiquidity: Liquidity;
}

/** Every possible entry of a pair and side in the period, exits at the next real candle if missing. */
function possibleEntries(
  frame: MarketFrame,
  symbol: string,
  side: Side,
  period: Period,
  horizonMinutes: number,
  execution: ExecutionModel,
): PossibleEntry[] {
  const columns = frame.columns[symbol]!;
  const fill = execution.entry;
  const firstRow = Math.max(0, Math.ceil((period.fromMs - frame.startTimeMs) / MINUTE_MS));
  const endRow = Math.min(
    frame.length - horizonMinutes,
    Math.ceil((period.toMs - frame.startTimeMs) / MINUTE_MS),
  );
  const halfSpread = execution.slippageRatePerSide[symbol] ?? 0;
  const entries: PossibleEntry[] = [];
  for (let row = firstRow; row < endRow; row++) {
    const entry = entryFill(columns, row, side, execution, halfSpread);
    if (entry === undefined) continue;
    const exitRow = fillRow(columns.present, row + horizonMinutes, fill);
    if (exitRow === undefined) continue;
    entries.push({
      row,
      entryRow: entry.row,
      exitRow,
      entryReferencePrice: entry.referencePrice,
      exitReferencePrice: fillPrice(columns, exitRow, fill),
      entryLiquidity: entry.liquidity,
    });
  }
  return entries;
}

export function randomBaseline(input: RandomBaselineInput): RandomBaselineResult {
  const simulations = input.simulations ?? DEFAULT_RANDOM_SIMULATIONS;
  const seed = input.seed ?? 1;
  const entries = new Map<string, PossibleEntry[]>();
  const keyOf = (symbol: string, side: Side) => `${symbol} ${side}`;
  for (const { symbol, side } of input.trades) {
    if (!entries.has(keyOf(symbol, side)))
      entries.set(
        keyOf(symbol, side),
        possibleEntries(input.frame, symbol, side, input.period, input.horizonMinutes, input.execution),
      );
  }
  const tradable = input.trades.filter((trade) => entries.get(keyOf(trade.symbol, trade.side))!.length > 0);
  const at = (row: number) => input.frame.startTimeMs + row * MINUTE_MS;

  const run = (index: number): ClosedTradeReturn[] => {
    const uniform = mulberry32(seed * 1_000_003 + index);
    return tradable.map(({ symbol, side }) => {
      const candidates = entries.get(keyOf(symbol, side))!;
      const pick = candidates[Math.floor(uniform() * candidates.length)]!;
      const entryTimeMs = at(pick.row);
      return {
        symbol,
        entryTimeMs,
        exitTimeMs: entryTimeMs + input.horizonMinutes * MINUTE_MS,
        netReturn: pricedNetReturn(input.execution, {
          symbol,
          side,
          entryReferencePrice: pick.entryReferencePrice,
          exitReferencePrice: pick.exitReferencePrice,
          entryLiquidity: pick.entryLiquidity,
          entryFilledTimeMs: at(pick.entryRow),
          exitFilledTimeMs: at(pick.exitRow),
        }).netReturn,
      };
    });
  };

  const avgNetReturns: number[] = [];
  for (let index = 0; index < simulations; index++) {
    const trades = run(index);
    avgNetReturns.push(
      trades.length > 0 ? trades.reduce((sum, trade) => sum + trade.netReturn, 0) / trades.length : 0,
    );
  }
  const target = input.strategyAvgNetReturn;
  const atLeastAsGood =
    target === null ? simulations : avgNetReturns.filter((value) => value >= target).length;
  const ranked = avgNetReturns.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const medianIndex = ranked[Math.floor(ranked.length / 2)]?.index ?? 0;
  return {
    metrics: summariseTrades(simulations > 0 ? run(medianIndex) : [], input.period),
    pValue: (1 + atLeastAsGood) / (1 + simulations),
    simulations,
    avgNetReturns,
  };
}
