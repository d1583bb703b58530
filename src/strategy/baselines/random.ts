/**
 * The random baseline: Monte Carlo runs that keep every strategy trade's pair and side but draw its
 * entry minute uniformly from the test period. Matching pair and side controls for a lucky drift
 * (a strategy that is simply long in a rising market), so the share of runs that do at least as well
 * as the strategy is an honest p-value for its timing.
 */
import type { MarketFrame } from '../../lake/frame.js';
import { mulberry32 } from '../../random.js';
import { MINUTE_MS } from '../../time.js';
import { entryFillRow, fillPrice, fillRow, slippedPrice, type ExecutionModel } from '../execution.js';
import { summarise, type ClosedTradeReturn, type Period, type PerformanceMetrics } from '../performance.js';
import { netReturn } from '../pnl.js';
import type { Side } from '../side.js';

export const DEFAULT_RANDOM_SIMULATIONS = 1000;

export interface RandomBaselineInput {
  frame: MarketFrame;
  period: Period;
  /** The strategy's trades: only their pair and side are kept. */
  trades: readonly { symbol: string; side: Side }[];
  /** The statistic to beat: the strategy's average net return per trade. */
  strategyAvgNetReturn: number | null;
  feeRatePerSide: number;
  horizonMinutes: number;
  /** The strategy's fill model: random entries fill and pay exactly as its trades do. */
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

/** Every possible entry of a pair in the period: decision row and the reference price move to its exit (next real candle if missing). */
function possibleEntries(
  frame: MarketFrame,
  symbol: string,
  period: Period,
  horizonMinutes: number,
  execution: ExecutionModel,
): { entryRows: number[]; moves: number[] } {
  const columns = frame.columns[symbol]!;
  const { present } = columns;
  const fill = execution.entry;
  const firstRow = Math.max(0, Math.ceil((period.fromMs - frame.startTimeMs) / MINUTE_MS));
  const endRow = Math.min(
    frame.length - horizonMinutes,
    Math.ceil((period.toMs - frame.startTimeMs) / MINUTE_MS),
  );
  const entryRows: number[] = [];
  const moves: number[] = [];
  for (let row = firstRow; row < endRow; row++) {
    const entryRow = entryFillRow(present, row, fill);
    if (entryRow === undefined) continue;
    const exitRow = fillRow(present, row + horizonMinutes, fill);
    if (exitRow === undefined) continue;
    entryRows.push(row);
    moves.push(fillPrice(columns, exitRow, fill) / fillPrice(columns, entryRow, fill) - 1);
  }
  return { entryRows, moves };
}

export function randomBaseline(input: RandomBaselineInput): RandomBaselineResult {
  const simulations = input.simulations ?? DEFAULT_RANDOM_SIMULATIONS;
  const seed = input.seed ?? 1;
  const entries = new Map<string, ReturnType<typeof possibleEntries>>();
  for (const { symbol } of input.trades) {
    if (!entries.has(symbol))
      entries.set(
        symbol,
        possibleEntries(input.frame, symbol, input.period, input.horizonMinutes, input.execution),
      );
  }
  const tradable = input.trades.filter((trade) => entries.get(trade.symbol)!.entryRows.length > 0);

  const run = (index: number): ClosedTradeReturn[] => {
    const uniform = mulberry32(seed * 1_000_003 + index);
    return tradable.map(({ symbol, side }) => {
      const { entryRows, moves } = entries.get(symbol)!;
      const pick = Math.floor(uniform() * entryRows.length);
      const entryTimeMs = input.frame.startTimeMs + entryRows[pick]! * MINUTE_MS;
      const slippage = input.execution.slippageRatePerSide[symbol] ?? 0;
      return {
        symbol,
        entryTimeMs,
        exitTimeMs: entryTimeMs + input.horizonMinutes * MINUTE_MS,
        netReturn: netReturn(
          side,
          slippedPrice(1, side, 'entry', slippage),
          slippedPrice(1 + moves[pick]!, side, 'exit', slippage),
          input.feeRatePerSide,
        ),
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
    metrics: summarise(simulations > 0 ? run(medianIndex) : [], input.period),
    pValue: (1 + atLeastAsGood) / (1 + simulations),
    simulations,
    avgNetReturns,
  };
}
