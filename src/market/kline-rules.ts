/**
 * What makes a candle one Binance could have printed: the content rules every kline must pass at the
 * boundary (CSV archives, REST bodies) and again when `data verify` rereads the lake. Shape checks
 * (twelve fields, numbers where numbers belong) happen in the parsers; these are about the values.
 *
 * - every number finite; open time a whole minute (1m candles open on the minute);
 * - prices positive, and low <= open, close <= high (high and low bound every trade of the minute);
 * - volumes and the trade count non-negative, the trade count whole;
 * - taker-buy volumes at most the volumes they are part of;
 * - plausible magnitudes: prices at most MAX_PRICE, volumes at most MAX_VOLUME, trades at most
 *   MAX_TRADES_PER_MINUTE. Finite is not enough: `high=1e308` is a finite number no market printed, and
 *   one such value wrecks every statistic computed over the month.
 */
import { MINUTE_MS } from '../time.js';
import type { KlineColumns } from './kline.js';

/**
 * Far above any spot price Binance has printed in any quote asset (BTC in Indonesian rupiah, the
 * largest, was about 1.6e9), far below what a corrupted exponent produces.
 */
export const MAX_PRICE = 1e12;
/** Base and quote volume of one minute: a meme coin's minute is ~1e12 units; 1e18 leaves a million-fold margin. */
export const MAX_VOLUME = 1e18;
/** Trades in one minute: BTCUSDT's busiest minutes hold ~1e5. */
export const MAX_TRADES_PER_MINUTE = 1e8;

export interface KlineRuleViolation {
  /** The KlineColumns field at fault (the first one checked, when two disagree). */
  field: string;
  problem: string;
}

/**
 * The first rule a candle breaks, or undefined. Takes the values as arguments (no row object), so the
 * CSV parser can call it per row in its hot loop without allocating.
 */
export function klineViolation(
  openTimeMs: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  quoteVolume: number,
  trades: number,
  takerBuyBaseVolume: number,
  takerBuyQuoteVolume: number,
): KlineRuleViolation | undefined {
  // one chain of comparisons decides the common case (NaN fails every one of them); the per-field
  // checks below only run to name what is wrong
  if (
    Number.isSafeInteger(openTimeMs) &&
    openTimeMs >= 0 &&
    openTimeMs % MINUTE_MS === 0 &&
    low > 0 &&
    low <= open &&
    low <= close &&
    high >= open &&
    high >= close &&
    high <= MAX_PRICE &&
    takerBuyBaseVolume >= 0 &&
    takerBuyBaseVolume <= volume &&
    volume <= MAX_VOLUME &&
    takerBuyQuoteVolume >= 0 &&
    takerBuyQuoteVolume <= quoteVolume &&
    quoteVolume <= MAX_VOLUME &&
    trades >= 0 &&
    trades <= MAX_TRADES_PER_MINUTE &&
    Number.isInteger(trades)
  )
    return undefined;
  return describeViolation(
    openTimeMs,
    { open, high, low, close },
    { volume, quoteVolume, trades, takerBuyBaseVolume, takerBuyQuoteVolume },
  );
}

function describeViolation(
  openTimeMs: number,
  prices: { open: number; high: number; low: number; close: number },
  amounts: {
    volume: number;
    quoteVolume: number;
    trades: number;
    takerBuyBaseVolume: number;
    takerBuyQuoteVolume: number;
  },
): KlineRuleViolation {
  const { open, high, low, close } = prices;
  const { volume, quoteVolume, trades, takerBuyBaseVolume, takerBuyQuoteVolume } = amounts;
  if (!Number.isSafeInteger(openTimeMs) || openTimeMs < 0)
    return {
      field: 'openTimeMs',
      problem: `open time ${openTimeMs} is not a non-negative whole number of ms`,
    };
  if (openTimeMs % MINUTE_MS !== 0)
    return { field: 'openTimeMs', problem: `open time ${openTimeMs} is not on a minute boundary` };
  for (const [field, value] of Object.entries(prices)) {
    if (!Number.isFinite(value)) return { field, problem: `${field} ${value} is not a finite number` };
    if (value <= 0) return { field, problem: `${field} ${value} is not a positive price` };
    if (value > MAX_PRICE)
      return { field, problem: `${field} ${value} is above the plausible price bound ${MAX_PRICE}` };
  }
  if (low > open || low > close)
    return { field: 'low', problem: `low ${low} is above open ${open} or close ${close}` };
  if (high < open || high < close)
    return { field: 'high', problem: `high ${high} is below open ${open} or close ${close}` };
  for (const [field, value] of Object.entries(amounts)) {
    if (!Number.isFinite(value)) return { field, problem: `${field} ${value} is not a finite number` };
    if (value < 0) return { field, problem: `${field} ${value} is negative` };
    const bound = field === 'trades' ? MAX_TRADES_PER_MINUTE : MAX_VOLUME;
    if (value > bound)
      return { field, problem: `${field} ${value} is above the plausible bound ${bound} for one minute` };
  }
  if (!Number.isInteger(trades))
    return { field: 'trades', problem: `trades ${trades} is not a whole number` };
  if (takerBuyBaseVolume > volume)
    return {
      field: 'takerBuyBaseVolume',
      problem: `taker buy volume ${takerBuyBaseVolume} exceeds volume ${volume}`,
    };
  if (takerBuyQuoteVolume > quoteVolume) {
    return {
      field: 'takerBuyQuoteVolume',
      problem: `taker buy quote volume ${takerBuyQuoteVolume} exceeds quote volume ${quoteVolume}`,
    };
  }
  throw new Error('klineViolation: the fast check failed but no rule is broken');
}

/** `klineViolation` for one row of columns. */
export function columnsRowViolation(columns: KlineColumns, row: number): KlineRuleViolation | undefined {
  return klineViolation(
    columns.openTimeMs[row]!,
    columns.open[row]!,
    columns.high[row]!,
    columns.low[row]!,
    columns.close[row]!,
    columns.volume[row]!,
    columns.quoteVolume[row]!,
    columns.trades[row]!,
    columns.takerBuyBaseVolume[row]!,
    columns.takerBuyQuoteVolume[row]!,
  );
}
