/**
 * Turns an open position and the candles after its exit minute into a closed trade. The exit price is
 * the close of the candle opening at the position's own exit minute, however late the tick that
 * closes it runs; if that candle is missing the next real one is used and the trade is flagged.
 */
import type { KlineColumns } from '../market/kline.js';
import { lowerBound } from '../market/kline-columns.js';
import { feeCost, grossTradeReturn, netReturn } from '../strategy/pnl.js';
import type { Position, Trade } from './records.js';

export interface ExitCandle {
  openTimeMs: number;
  close: number;
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
  return { openTimeMs: times[low]!, close: columns.close[low]! };
}

export function closeTrade(position: Position, exit: ExitCandle, closedAtMs: number): Trade {
  const priceMove = exit.close / position.entryPrice - 1;
  const grossReturn = grossTradeReturn(position.side, priceMove);
  const tradeNetReturn = netReturn(position.side, position.entryPrice, exit.close, position.feeRatePerSide);
  return {
    ...position,
    exitPrice: exit.close,
    exitCandleTimeMs: exit.openTimeMs,
    exitCandleMissing: exit.openTimeMs !== position.exitTimeMs,
    grossReturn,
    netReturn: tradeNetReturn,
    grossPnl: position.notional * grossReturn,
    fees: position.notional * feeCost(position.side, priceMove, position.feeRatePerSide),
    netPnl: position.notional * tradeNetReturn,
    closedAtMs,
  };
}
