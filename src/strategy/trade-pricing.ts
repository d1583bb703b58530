/**
 * What one trade nets on the execution model: slippage on its taker legs (execution.ts), the venue's fee
 * for each leg's liquidity (pnl.ts), then its borrow and funding costs (venue.ts). The replay, the random
 * baseline and threshold fitting all price here, so a fitted threshold, a backtest trade and a random
 * entry pay the same costs.
 */
import { MINUTE_MS } from '../time.js';
import { fillOffsetRows, slippedPrice, type ExecutionModel } from './execution.js';
import { netReturn } from './pnl.js';
import type { Side } from './side.js';
import { tradeCarryCost, type Liquidity } from './venue.js';

/**
 * A trade's net return from its two reference prices (before slippage): slippage on the taker legs,
 * the venue's fee for each leg's liquidity, then its borrow and funding costs.
 */
export function pricedNetReturn(
  execution: ExecutionModel,
  trade: {
    symbol: string;
    side: Side;
    entryReferencePrice: number;
    exitReferencePrice: number;
    entryLiquidity: Liquidity;
    entryFilledTimeMs: number;
    exitFilledTimeMs: number;
  },
): { entryPrice: number; exitPrice: number; netReturn: number; carryCost: number } {
  const { venue } = execution;
  const slippage = execution.slippageRatePerSide[trade.symbol] ?? 0;
  const maker = trade.entryLiquidity === 'maker';
  const entryPrice = maker
    ? trade.entryReferencePrice
    : slippedPrice(trade.entryReferencePrice, trade.side, 'entry', slippage);
  const exitPrice = slippedPrice(trade.exitReferencePrice, trade.side, 'exit', slippage);
  const carryCost = tradeCarryCost(venue, trade);
  const beforeCarry = netReturn(
    trade.side,
    entryPrice,
    exitPrice,
    maker ? venue.makerFeeRatePerSide : venue.takerFeeRatePerSide,
    venue.takerFeeRatePerSide,
  );
  return { entryPrice, exitPrice, netReturn: beforeCarry - carryCost, carryCost };
}

/**
 * Prices a trade of one pair from its reference move `exit/entry − 1` and decision minute, for threshold
 * fitting: the entry fills `fillOffsetRows` after the decision and the exit `horizonMinutes` later, as
 * the replay fills them on schedule.
 */
export function movePricer(
  execution: ExecutionModel,
  symbol: string,
  horizonMinutes: number,
): (side: Side, priceMove: number, decisionTimeMs: number) => number {
  const offsetMs = fillOffsetRows(execution.entry) * MINUTE_MS;
  const entryLiquidity: Liquidity = execution.entry === 'maker' ? 'maker' : 'taker';
  return (side, priceMove, decisionTimeMs) =>
    pricedNetReturn(execution, {
      symbol,
      side,
      entryReferencePrice: 1,
      exitReferencePrice: 1 + priceMove,
      entryLiquidity,
      entryFilledTimeMs: decisionTimeMs + offsetMs,
      exitFilledTimeMs: decisionTimeMs + offsetMs + horizonMinutes * MINUTE_MS,
    }).netReturn;
}
