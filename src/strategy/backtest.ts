/**
 * The backtest replay: walks a period minute by minute through `decide()` (the very function the live
 * paper trader calls), filling each entry and each exit, `horizonMinutes` later, by the fill model of
 * execution.ts (the decision candle's close or the next minute's open, slipped against the trade), with
 * fees on both sides.
 */
import type { MarketFrame } from '../lake/frame.js';
import { MINUTE_MS } from '../time.js';
import { decide, type Entry } from './decision.js';
import {
  entryFillRow,
  fillOffsetRows,
  fillPrice,
  fillRow,
  slippedPrice,
  type ExecutionModel,
} from './execution.js';
import type { StrategyParams } from './params.js';
import type { Period } from './performance.js';
import { netReturn } from './pnl.js';

export interface BacktestTrade extends Entry {
  /** The fill prices, slippage included: what fees are charged on. */
  entryPrice: number;
  exitPrice: number;
  /** The candle prices the fills are taken from (close, or next open), before slippage. */
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
  netReturn: number;
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
}

export function replay(input: ReplayInput): ReplayResult {
  const { frame, strategy, period } = input;
  const changes = input.strategyChanges ?? [];
  const { entry: fill, slippageRatePerSide } = input.execution;
  const coinCount = frame.symbols.length;
  if (input.predictions.length !== frame.length * coinCount) {
    throw new RangeError(
      `predictions hold ${input.predictions.length} values, expected ${frame.length} rows × ${coinCount} coins`,
    );
  }
  // one horizon and fee for the whole replay: the exit schedule and PnL below read them from `strategy`
  changes.forEach((change, index) => {
    if (
      change.strategy.horizonMinutes !== strategy.horizonMinutes ||
      change.strategy.feeRatePerSide !== strategy.feeRatePerSide ||
      (index > 0 && change.fromMs < changes[index - 1]!.fromMs)
    )
      throw new RangeError('strategy changes must keep the horizon and fee and come in ascending fromMs');
  });
  const firstRow = Math.max(0, Math.ceil((period.fromMs - frame.startTimeMs) / MINUTE_MS));
  const endRow = Math.min(frame.length, Math.ceil((period.toMs - frame.startTimeMs) / MINUTE_MS));
  const lastEntryRow = frame.length - 1 - strategy.horizonMinutes - fillOffsetRows(fill);

  const trades: BacktestTrade[] = [];
  const unclosed: Entry[] = [];
  let open: Entry[] = [];
  const closeAt = (position: Entry): void => {
    const columns = frame.columns[position.symbol]!;
    const decisionRow = (position.entryTimeMs - frame.startTimeMs) / MINUTE_MS;
    const scheduledExitRow = (position.exitTimeMs - frame.startTimeMs) / MINUTE_MS;
    const exitRow = fillRow(columns.present, scheduledExitRow, fill);
    if (exitRow === undefined) {
      unclosed.push(position);
      return;
    }
    // entries are only made where this row exists (see `tradable` below)
    const entryRow = decisionRow + fillOffsetRows(fill);
    const entryReferencePrice = fillPrice(columns, entryRow, fill);
    const exitReferencePrice = fillPrice(columns, exitRow, fill);
    const slippage = slippageRatePerSide[position.symbol] ?? 0;
    const entryPrice = slippedPrice(entryReferencePrice, position.side, 'entry', slippage);
    const exitPrice = slippedPrice(exitReferencePrice, position.side, 'exit', slippage);
    trades.push({
      ...position,
      entryPrice,
      exitPrice,
      entryReferencePrice,
      exitReferencePrice,
      entryFilledTimeMs: frame.startTimeMs + entryRow * MINUTE_MS,
      exitFilledTimeMs: frame.startTimeMs + exitRow * MINUTE_MS,
      lateExit: exitRow !== scheduledExitRow + fillOffsetRows(fill),
      priceMove: exitReferencePrice / entryReferencePrice - 1,
      slippageRatePerSide: slippage,
      netReturn: netReturn(position.side, entryPrice, exitPrice, strategy.feeRatePerSide),
    });
  };

  // Runs on past the period by the horizon so every position opened inside it reaches its exit minute;
  // no entry is made later than `horizonMinutes` before the frame ends, so none is left open.
  const lastRow = Math.min(frame.length - 1, endRow - 1 + strategy.horizonMinutes);
  let deciding = strategy;
  let nextChange = 0;
  for (let row = firstRow; row <= lastRow; row++) {
    const minuteMs = frame.startTimeMs + row * MINUTE_MS;
    while (nextChange < changes.length && changes[nextChange]!.fromMs <= minuteMs)
      deciding = changes[nextChange++]!.strategy;
    const predictions: Record<string, number> = {};
    const tradable: string[] = [];
    if (row < endRow && row <= lastEntryRow) {
      frame.symbols.forEach((symbol, coin) => {
        const prediction = input.predictions[row * coinCount + coin]!;
        // a pair trades only where its entry can fill: a real candle now (and, for nextOpen, next minute)
        if (
          entryFillRow(frame.columns[symbol]!.present, row, fill) === undefined ||
          !Number.isFinite(prediction)
        )
          return;
        predictions[symbol] = prediction;
        tradable.push(symbol);
      });
    }
    const decision = decide({
      minuteMs,
      predictions,
      strategy: deciding,
      openPositions: open,
      tradableSymbols: tradable,
    });
    decision.exits.forEach(closeAt);
    open = [...decision.holding, ...decision.entries];
  }
  return { trades, unclosed };
}
