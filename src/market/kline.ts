/**
 * One Binance 1-minute kline with all 12 fields. Prices and volumes stay the decimal strings Binance
 * sends until they become the lake's DOUBLE columns: there each is the nearest float64 to its decimal
 * (as Number() reads it), the one rounding on the way in. Timestamps are UTC epoch milliseconds.
 */
export interface Kline {
  openTimeMs: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  closeTimeMs: number;
  quoteVolume: string;
  trades: number;
  takerBuyBaseVolume: string;
  takerBuyQuoteVolume: string;
  ignore: string;
}

/** The numeric kline fields the lake stores as columns, in Binance's order. */
export const KLINE_VALUE_FIELDS = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'quoteVolume',
  'trades',
  'takerBuyBaseVolume',
  'takerBuyQuoteVolume',
] as const;
export type KlineValueField = (typeof KLINE_VALUE_FIELDS)[number];

/**
 * Klines of one symbol as typed columns, sorted by open time with no duplicates: the form the archive
 * parser produces and the lake stores, so bulk paths never build one object per row.
 */
export interface KlineColumns {
  symbol: string;
  openTimeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  quoteVolume: Float64Array;
  trades: Float64Array;
  takerBuyBaseVolume: Float64Array;
  takerBuyQuoteVolume: Float64Array;
}
