/**
 * The backtest replay: walks a period minute by minute through `decide()` (the very function the live
 * paper trader calls), filling each entry and each exit, `horizonMinutes` later, by the fill model of
 * execution.ts (the decision candle's close or the next minute's open, slipped against the trade, or a
 * maker's limit that fills only when the next minute trades through it), priced by trade-pricing.ts:
 * the venue's fees on both sides, borrow and funding.
 */
import type { MarketFrame } from '../lake/frame.js';
import { MINUTE_MS } from '../time.js';
import { decide, type Entry } from './decision.js';
import {
  entryFill,
  entryFillRow,
  fillOffsetRows,
  fillPrice,
  fillRow,
  type ExecutionModel,
} from './execution.js';
import type { StrategyParams } from './params.js';
import type { Period } from './performance.js';
import { grossTradeReturn } from './pnl.js';
import { pricedNetReturn } from './trade-pricing.js';
import type { Liquidity } from './venue.js';

export interface BacktestTrade extends Entry {
  /** The fill prices, slippage included: what fees are charged on. */
  entryPrice: number;
  exitPrice: number;
  /** The candle prices the fills are taken from (close, next open, or a maker's limit), before slippage. */
  entryReferencePrice: number;
  exitReferencePrice: number;
  /** Open time of the candle whose price filled the entry: `entryTimeMs` (close) or a minute later (nextOpen). */
  entryFilledTimeMs: number;
  /** Open time of the candle whose price filled the exit; later than scheduled when that candle is missing. */
  exitFilledTimeMs: number;
  /** True when the exit candle was missing and the next available one was used. */
  lateExit: boolean;
  /** The reference price move exitReferencePrice/entryReferencePrice − 1, before any cost. */
  priceMove: number;
  slippageRatePerSide: number;
  /** 'maker' for a filled limit entry (no slippage, maker fee), else 'taker'. */
  entryLiquidity: Liquidity;
  /** Borrow interest and funding paid, as a fraction of the notional (negative: received); in `netReturn`. */
  carryCost: number;
  netReturn: number;
}

/**
 * Maker entries' fills: every signal that placed a limit, and the gross move (the trade's side, from the
 * decision close to its exit reference) of the filled and the unfilled ones: how adversely the fills
 * are selected.
 */
export interface MakerFills {
  signals: number;
  filled: number;
  /** filled / signals; null without signals. */
  fillRate: number | null;
  avgMoveFilled: number | null;
  avgMoveUnfilled: number | null;
}

export interface ReplayInput {
  /** Prices covering the period plus `horizonMinutes` after it, so the last entries can close. */
  frame: MarketFrame;
  /** Raw model outputs [row][coin] on the frame's rows and symbols; NaN where there is none. */
  predictions: ArrayLike<number>;
  strategy: StrategyParams;
  /**
   * Later strategies in ascending `fromMs`, each deciding from its minute on (a simulation's successive
   * champions); `strategy` decides before the first. Open positions carry over and exit on schedule.
   */
  strategyChanges?: readonly ScheduledStrategy[];
  /** Decision minutes to replay. */
  period: Period;
  execution: ExecutionModel;
}

export interface ScheduledStrategy {
  fromMs: number;
  strategy: StrategyParams;
}

export interface ReplayResult {
  trades: BacktestTrade[];
  /** Positions whose exit candle (or any later one) is not on the frame: not counted as trades. */
  unclosed: Entry[];
  /** Short signals a long-only venue dropped (decide()'s `droppedShorts`), in the period. */
  droppedShorts: number;
  /** Under maker entries, their fills; null otherwise. */
  makerFills: MakerFills | null;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** A position the replay holds: the decision's entry and where its fill came from. */
type OpenPosition = Entry & { entryRow: number; entryReferencePrice: number; entryLiquidity: Liquidity };

/** Maker entries' fills as the replay counts them; MakerFills at the end. */
interface MakerTally {
  signals: number;
  filled: number;
  movesFilled: number[];
  movesUnfilled: number[];
}

export function replay(input: ReplayInput): ReplayResult {
  const { frame, strategy, period, execution } = input;
  const changes = input.strategyChanges ?? [];
  assertReplayInput(input);
  const firstRow = Math.max(0, Math.ceil((period.fromMs - frame.startTimeMs) / MINUTE_MS));
  const endRow = Math.min(frame.length, Math.ceil((period.toMs - frame.startTimeMs) / MINUTE_MS));
  const lastEntryRow = frame.length - 1 - strategy.horizonMinutes - fillOffsetRows(execution.entry);

  const trades: BacktestTrade[] = [];
  const unclosed: Entry[] = [];
  let droppedShorts = 0;
  const maker: MakerTally = { signals: 0, filled: 0, movesFilled: [], movesUnfilled: [] };
  let open: OpenPosition[] = [];
  // Runs on past the period by the horizon so every position opened inside it reaches its exit minute;
  // no entry is made later than `horizonMinutes` before the frame ends, so none is left open.
  const lastRow = Math.min(frame.length - 1, endRow - 1 + strategy.horizonMinutes);
  let deciding = strategy;
  let nextChange = 0;
  for (let row = firstRow; row <= lastRow; row++) {
    const minuteMs = frame.startTimeMs + row * MINUTE_MS;
    while (nextChange < changes.length && changes[nextChange]!.fromMs <= minuteMs)
      deciding = changes[nextChange++]!.strategy;
    const { predictions, tradable } =
      row < endRow && row <= lastEntryRow
        ? tradablePredictions(input, row)
        : { predictions: {}, tradable: [] };
    const decision = decide({
      minuteMs,
      predictions,
      strategy: deciding,
      openPositions: open,
      tradableSymbols: tradable,
      shortsAllowed: execution.venue.shortsAllowed,
    });
    for (const position of decision.exits) {
      const trade = closedTrade(frame, execution, position);
      if (trade === undefined) unclosed.push(position);
      else trades.push(trade);
    }
    droppedShorts += decision.droppedShorts.length;
    open = [...decision.holding, ...fillEntries(input, row, decision.entries, maker)];
  }
  return {
    trades,
    unclosed,
    droppedShorts,
    makerFills:
      execution.entry === 'maker'
        ? {
            signals: maker.signals,
            filled: maker.filled,
            fillRate: maker.signals > 0 ? maker.filled / maker.signals : null,
            avgMoveFilled: mean(maker.movesFilled),
            avgMoveUnfilled: mean(maker.movesUnfilled),
          }
        : null,
  };
}

function assertReplayInput(input: ReplayInput): void {
  const { frame, strategy } = input;
  const changes = input.strategyChanges ?? [];
  const coinCount = frame.symbols.length;
  if (input.predictions.length !== frame.length * coinCount) {
    throw new RangeError(
      `predictions hold ${input.predictions.length} values, expected ${frame.length} rows × ${coinCount} coins`,
    );
  }
  // one horizon for the whole replay: the exit schedule reads it from `strategy`; fees come from the execution model
  changes.forEach((change, index) => {
    if (
      change.strategy.horizonMinutes !== strategy.horizonMinutes ||
      (index > 0 && change.fromMs < changes[index - 1]!.fromMs)
    )
      throw new RangeError('strategy changes must keep the horizon and come in ascending fromMs');
  });
}

/** The row's finite predictions of the pairs whose entry can fill, and those pairs. */
function tradablePredictions(
  input: ReplayInput,
  row: number,
): { predictions: Record<string, number>; tradable: string[] } {
  const { frame } = input;
  const coinCount = frame.symbols.length;
  const predictions: Record<string, number> = {};
  const tradable: string[] = [];
  frame.symbols.forEach((symbol, coin) => {
    const prediction = input.predictions[row * coinCount + coin]!;
    // a pair trades only where its entry can fill: a real candle now (and, for nextOpen, next minute)
    if (
      entryFillRow(frame.columns[symbol]!.present, row, input.execution.entry) === undefined ||
      !Number.isFinite(prediction)
    )
      return;
    predictions[symbol] = prediction;
    tradable.push(symbol);
  });
  return { predictions, tradable };
}

/** The decision's entries that fill at `row`, as open positions; a maker's signals are tallied. */
function fillEntries(
  input: ReplayInput,
  row: number,
  entries: readonly Entry[],
  maker: MakerTally,
): OpenPosition[] {
  const { frame, execution } = input;
  const opened: OpenPosition[] = [];
  for (const entry of entries) {
    const filled = entryFill(
      frame.columns[entry.symbol]!,
      row,
      entry.side,
      execution,
      execution.slippageRatePerSide[entry.symbol] ?? 0,
    );
    if (execution.entry === 'maker') {
      maker.signals++;
      if (filled !== undefined) maker.filled++;
      const move = signalMove(input, entry, row);
      if (move !== undefined) (filled === undefined ? maker.movesUnfilled : maker.movesFilled).push(move);
    }
    // only a maker's limit can miss: tradable pairs have their taker fill
    if (filled === undefined) continue;
    opened.push({
      ...entry,
      entryRow: filled.row,
      entryReferencePrice: filled.referencePrice,
      entryLiquidity: filled.liquidity,
    });
  }
  return opened;
}

/** The position closed at its exit candle (or the next one), priced; undefined when none is on the frame. */
function closedTrade(
  frame: MarketFrame,
  execution: ExecutionModel,
  position: OpenPosition,
): BacktestTrade | undefined {
  const fill = execution.entry;
  const columns = frame.columns[position.symbol]!;
  const scheduledExitRow = (position.exitTimeMs - frame.startTimeMs) / MINUTE_MS;
  const exitRow = fillRow(columns.present, scheduledExitRow, fill);
  if (exitRow === undefined) return undefined;
  const { entryRow, entryReferencePrice, entryLiquidity, ...entry } = position;
  const exitReferencePrice = fillPrice(columns, exitRow, fill);
  const entryFilledTimeMs = frame.startTimeMs + entryRow * MINUTE_MS;
  const exitFilledTimeMs = frame.startTimeMs + exitRow * MINUTE_MS;
  const priced = pricedNetReturn(execution, {
    symbol: position.symbol,
    side: position.side,
    entryReferencePrice,
    exitReferencePrice,
    entryLiquidity,
    entryFilledTimeMs,
    exitFilledTimeMs,
  });
  return {
    ...entry,
    entryPrice: priced.entryPrice,
    exitPrice: priced.exitPrice,
    entryReferencePrice,
    exitReferencePrice,
    entryFilledTimeMs,
    exitFilledTimeMs,
    lateExit: exitRow !== scheduledExitRow + fillOffsetRows(fill),
    priceMove: exitReferencePrice / entryReferencePrice - 1,
    slippageRatePerSide: execution.slippageRatePerSide[position.symbol] ?? 0,
    entryLiquidity,
    carryCost: priced.carryCost,
    netReturn: priced.netReturn,
  };
}

/** The side's gross move from the decision close to the exit reference, for the maker's adverse selection. */
function signalMove(input: ReplayInput, entry: Entry, decisionRow: number): number | undefined {
  const { frame, strategy, execution } = input;
  const columns = frame.columns[entry.symbol]!;
  const exitRow = fillRow(columns.present, decisionRow + strategy.horizonMinutes, execution.entry);
  if (exitRow === undefined) return undefined;
  return grossTradeReturn(
    entry.side,
    fillPrice(columns, exitRow, execution.entry) / columns.close[decisionRow]! - 1,
  );
}
