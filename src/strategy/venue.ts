/**
 * The account a trade is placed in, as costs (execution.venue; sources in docs/research.md):
 * - 'spot': long only; `decide()` drops every short signal and says how many it dropped.
 * - 'spot-margin': a short borrows the coin and pays its hourly interest on the borrowed amount (the
 *   entry notional): Binance accrues one hour when the loan is taken and one more at the start of every
 *   hour while it is open ('hourly'), or exactly the minutes held ('perMinute').
 * - 'usdm-futures': the tier's maker and taker fees, and funding at every funding time (multiples of the
 *   interval from 00:00 UTC) strictly after the entry fill and at or before the exit fill: a long pays
 *   rate × notional, a short receives it. Spot candles stand in for the perpetual's price.
 * Every cost is a fraction of the entry notional, as net returns are (pnl.ts).
 */
import type { ExecutionConfig } from '../config/schema.js';
import type { Side } from './side.js';

export type Venue = ExecutionConfig['venue'];
export type Liquidity = 'maker' | 'taker';

const HOUR_MS = 3_600_000;

export interface VenueModel {
  venue: Venue;
  /** False on 'spot': short signals are dropped. */
  shortsAllowed: boolean;
  takerFeeRatePerSide: number;
  makerFeeRatePerSide: number;
  /** Interest per hour on a short's borrowed notional, per pair (zero outside 'spot-margin'). */
  borrowRatePerHour: Readonly<Record<string, number>>;
  interestAccrual: ExecutionConfig['spotMargin']['interestAccrual'];
  /** Funding per interval per pair; null outside 'usdm-futures'. */
  funding: { intervalMs: number; ratePerInterval: Readonly<Record<string, number>> } | null;
}

/** Quote assets a Binance symbol may end in, longest first so FDUSD is not read as USD. */
const QUOTE_ASSETS = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];

/** The coin a symbol trades: LINKUSDT → LINK (what a short borrows). */
export function baseAsset(symbol: string): string {
  const quote = QUOTE_ASSETS.find((asset) => symbol.endsWith(asset) && symbol.length > asset.length);
  return quote === undefined ? symbol : symbol.slice(0, -quote.length);
}

/** The taker fee per side the venue charges: the futures tier's, else the spot fee (`strategy.feeRatePerSide`). */
export function venueTakerFeeRatePerSide(
  execution: ExecutionConfig,
  spotTakerFeeRatePerSide: number,
): number {
  return execution.venue === 'usdm-futures'
    ? (execution.usdmFutures.feeTiers[execution.usdmFutures.tier]?.taker ?? spotTakerFeeRatePerSide)
    : spotTakerFeeRatePerSide;
}

export function venueModel(
  execution: ExecutionConfig,
  symbols: readonly string[],
  spotTakerFeeRatePerSide: number,
): VenueModel {
  const { venue, spotMargin, usdmFutures } = execution;
  const perSymbol = (rate: (symbol: string) => number) =>
    Object.fromEntries(symbols.map((symbol) => [symbol, rate(symbol)]));
  const futures = venue === 'usdm-futures';
  // the schema guarantees the tier exists whenever the venue is futures
  const tier = futures ? usdmFutures.feeTiers[usdmFutures.tier]! : undefined;
  return {
    venue,
    shortsAllowed: venue !== 'spot',
    takerFeeRatePerSide: venueTakerFeeRatePerSide(execution, spotTakerFeeRatePerSide),
    makerFeeRatePerSide: tier?.maker ?? execution.spotMakerFeeRatePerSide,
    borrowRatePerHour: perSymbol((symbol) =>
      venue === 'spot-margin'
        ? (spotMargin.borrowRatePerHour.byAsset[baseAsset(symbol)] ?? spotMargin.borrowRatePerHour.default)
        : 0,
    ),
    interestAccrual: spotMargin.interestAccrual,
    funding: futures
      ? {
          intervalMs: usdmFutures.fundingIntervalHours * HOUR_MS,
          ratePerInterval: perSymbol(
            (symbol) =>
              usdmFutures.fundingRatePerInterval.bySymbol[symbol] ??
              usdmFutures.fundingRatePerInterval.default,
          ),
        }
      : null,
  };
}

/** The same venue with one fee per side for both liquidities: the cost sweep's account at cost c. */
export function atFeePerSide(venue: VenueModel, feeRatePerSide: number): VenueModel {
  return { ...venue, takerFeeRatePerSide: feeRatePerSide, makerFeeRatePerSide: feeRatePerSide };
}

/** How many multiples of `stepMs` lie in (fromMs, toMs]. */
function boundariesCrossed(fromMs: number, toMs: number, stepMs: number): number {
  return Math.max(0, Math.floor(toMs / stepMs) - Math.floor(fromMs / stepMs));
}

/** Hours of interest a loan from `fromMs` to `toMs` accrues. */
export function billedBorrowHours(
  fromMs: number,
  toMs: number,
  accrual: VenueModel['interestAccrual'],
): number {
  return accrual === 'hourly' ? 1 + boundariesCrossed(fromMs, toMs, HOUR_MS) : (toMs - fromMs) / HOUR_MS;
}

/** Borrow interest plus funding paid by one trade, as a fraction of its entry notional (negative: received). */
export function tradeCarryCost(
  venue: VenueModel,
  trade: { symbol: string; side: Side; entryFilledTimeMs: number; exitFilledTimeMs: number },
): number {
  let cost = 0;
  const borrowRate = venue.borrowRatePerHour[trade.symbol] ?? 0;
  if (trade.side === 'short' && borrowRate > 0)
    cost +=
      borrowRate * billedBorrowHours(trade.entryFilledTimeMs, trade.exitFilledTimeMs, venue.interestAccrual);
  if (venue.funding !== null) {
    const times = boundariesCrossed(
      trade.entryFilledTimeMs,
      trade.exitFilledTimeMs,
      venue.funding.intervalMs,
    );
    const rate = venue.funding.ratePerInterval[trade.symbol] ?? 0;
    cost += times * rate * (trade.side === 'long' ? 1 : -1);
  }
  return cost;
}
