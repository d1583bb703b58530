/**
 * Turns an open position and the price of its exit fill into a closed trade. The exit fills by the
 * position's own fill model (execution.ts), however late the tick that closes it runs: under 'close' the
 * close of the candle opening at the exit minute, under 'nextOpen' the price of the minute after it.
 * If that candle is missing the next real one is used and the trade is flagged.
 */
import type { KlineColumns } from '../market/kline.js';
import { lowerBound } from '../market/kline-columns.js';
import { fillOffsetRows, makerFills, slippedPrice } from '../strategy/execution.js';
import { feeCost, grossTradeReturn, netReturn } from '../strategy/pnl.js';
import { MINUTE_MS } from '../time.js';
import type { Position, Quote, Trade } from './records.js';

export interface ExitCandle {
  openTimeMs: number;
  open: number;
  close: number;
}

/** The price an exit filled at, before slippage, and where it came from. */
export interface ExitFill {
  /** Open time of the candle (or the minute) whose price filled the exit. */
  fillTimeMs: number;
  referencePrice: number;
  quote: Quote | null;
}

/** The first candle with `fromMs <= openTime <= untilMs`, or undefined. */
export function firstCandleAtOrAfter(
  columns: KlineColumns,
  fromMs: number,
  untilMs: number,
): ExitCandle | undefined {
  const times = columns.openTimeMs;
  const low = lowerBound(times, fromMs);
  if (low >= times.length || times[low]! > untilMs) return undefined;
  return { openTimeMs: times[low]!, open: columns.open[low]!, close: columns.close[low]! };
}

/** Open time of the minute whose price fills a position's exit when no candle is missing. */
export function scheduledExitFillMs(position: Position): number {
  return position.exitTimeMs + fillOffsetRows(position.fill) * MINUTE_MS;
}

/** An exit fill from a candle that has closed: its close (close fills) or its open (nextOpen fills). */
export function exitFillFromCandle(position: Position, candle: ExitCandle, quote: Quote | null): ExitFill {
  return {
    fillTimeMs: candle.openTimeMs,
    referencePrice: position.fill === 'nextOpen' ? candle.open : candle.close,
    quote,
  };
}

export function closeTrade(position: Position, exit: ExitFill, closedAtMs: number): Trade {
  const { side, notional, feeRatePerSide, slippageRatePerSide } = position;
  const entryReferencePrice = position.entryReferencePrice ?? position.entryPrice;
  const exitPrice = slippedPrice(exit.referencePrice, side, 'exit', slippageRatePerSide);
  const grossReturn = grossTradeReturn(side, exit.referencePrice / entryReferencePrice - 1);
  const filledMove = exitPrice / position.entryPrice - 1;
  const tradeNetReturn = netReturn(side, position.entryPrice, exitPrice, feeRatePerSide);
  return {
    ...position,
    exitPrice,
    exitReferencePrice: exit.referencePrice,
    exitCandleTimeMs: exit.fillTimeMs,
    exitCandleMissing: exit.fillTimeMs !== scheduledExitFillMs(position),
    exitQuote: exit.quote,
    grossReturn,
    netReturn: tradeNetReturn,
    grossPnl: notional * grossReturn,
    slippage: notional * (grossReturn - grossTradeReturn(side, filledMove)),
    fees: notional * feeCost(side, filledMove, feeRatePerSide),
    netPnl: notional * tradeNetReturn,
    closedAtMs,
  };
}

/**
 * Whether a maker limit at the touch of the book the entry read would have filled: the bid for a buy,
 * the ask for a sell, against the low and high of the minute after the decision (execution.ts
 * `makerFills`, the backtest's rule); null without that book or that candle.
 */
export function makerWouldFill(position: Position, columns: KlineColumns | undefined): boolean | null {
  const quote = position.entryQuote;
  if (quote === null || columns === undefined) return null;
  const fillMinuteMs = position.entryTimeMs + MINUTE_MS;
  const at = lowerBound(columns.openTimeMs, fillMinuteMs);
  if (columns.openTimeMs[at] !== fillMinuteMs) return null;
  const limit = position.side === 'long' ? quote.bidPrice : quote.askPrice;
  return makerFills(position.side, limit, { low: columns.low[at]!, high: columns.high[at]! });
}
