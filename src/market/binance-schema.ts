/**
 * zod schemas for the Binance REST bodies alpha15 reads. Nothing from the network is trusted: every body
 * is parsed here before any field is used, so a malformed response fails loudly with a zod path.
 */
import { z } from 'zod';
import type { Kline } from './kline.js';
import { klineViolation } from './kline-rules.js';

/** Binance sends prices and volumes as decimal strings ("46914.16000000"); keep them exact. */
const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal number as a string');
const epochMs = z.number().int().nonnegative();

/** One kline as Binance sends it: a 12-element array. */
export const rawKlineSchema = z.tuple([
  epochMs, // open time
  decimalString, // open
  decimalString, // high
  decimalString, // low
  decimalString, // close
  decimalString, // volume
  epochMs, // close time
  decimalString, // quote asset volume
  z.number().int().nonnegative(), // number of trades
  decimalString, // taker buy base volume
  decimalString, // taker buy quote volume
  z.string(), // unused field, "0"
]);
export type RawKline = z.infer<typeof rawKlineSchema>;

/** Where each kline-rules field sits in Binance's array, so a violation names the array path. */
const RAW_KLINE_INDEX: Record<string, number> = {
  openTimeMs: 0,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  volume: 5,
  quoteVolume: 7,
  trades: 8,
  takerBuyBaseVolume: 9,
  takerBuyQuoteVolume: 10,
};

/** The body's shape, then every kline's content (kline-rules.ts): a violation fails the whole body. */
export const klinesBodySchema = z
  .array(rawKlineSchema)
  .superRefine((rows, context) => {
    rows.forEach((row, index) => {
      const violation = klineViolation(
        row[0],
        Number(row[1]),
        Number(row[2]),
        Number(row[3]),
        Number(row[4]),
        Number(row[5]),
        Number(row[7]),
        row[8],
        Number(row[9]),
        Number(row[10]),
      );
      if (violation) {
        context.addIssue({
          code: 'custom',
          path: [index, RAW_KLINE_INDEX[violation.field]!],
          message: `${violation.field}: ${violation.problem}`,
        });
      }
    });
  })
  .transform((rows) => rows.map(rawToKline));

export const serverTimeBodySchema = z.object({ serverTime: epochMs });

export const exchangeInfoBodySchema = z.object({
  symbols: z.array(z.object({ symbol: z.string().min(1), status: z.string().min(1) })),
});
export type ExchangeSymbol = z.infer<typeof exchangeInfoBodySchema>['symbols'][number];

/**
 * GET /api/v3/ticker/bookTicker?symbol=X: the best bid and ask at the moment of the request. Prices
 * arrive as decimal strings and leave as numbers: they price a fill, they are not stored as market
 * data. A book with no bid, no ask or a bid above the ask is malformed, not a price.
 */
export const bookTickerBodySchema = z
  .object({
    symbol: z.string().min(1),
    bidPrice: decimalString,
    bidQty: decimalString,
    askPrice: decimalString,
    askQty: decimalString,
  })
  .transform((body) => ({
    symbol: body.symbol,
    bidPrice: Number(body.bidPrice),
    bidQty: Number(body.bidQty),
    askPrice: Number(body.askPrice),
    askQty: Number(body.askQty),
  }))
  .refine((book) => book.bidPrice > 0 && book.askPrice > 0, {
    message: 'an empty book side (a price of 0) is no quote',
    path: ['bidPrice'],
  })
  .refine((book) => book.askPrice >= book.bidPrice, {
    message: 'the ask is below the bid: a crossed book is no quote',
    path: ['askPrice'],
  });
export type BookTicker = z.infer<typeof bookTickerBodySchema>;

/** The error body Binance returns with 4xx/5xx, e.g. `{"code":-1121,"msg":"Invalid symbol."}`. */
export const binanceErrorBodySchema = z.object({ code: z.number().int(), msg: z.string() });
export type BinanceErrorBody = z.infer<typeof binanceErrorBodySchema>;

/** Binance's error code for an unknown symbol. */
export const INVALID_SYMBOL_CODE = -1121;

export function rawToKline(row: RawKline): Kline {
  return {
    openTimeMs: row[0],
    open: row[1],
    high: row[2],
    low: row[3],
    close: row[4],
    volume: row[5],
    closeTimeMs: row[6],
    quoteVolume: row[7],
    trades: row[8],
    takerBuyBaseVolume: row[9],
    takerBuyQuoteVolume: row[10],
    ignore: row[11],
  };
}

/** The inverse of `rawToKline`: the array form Binance (and the replay server) send. */
export function klineToRaw(kline: Kline): RawKline {
  return [
    kline.openTimeMs,
    kline.open,
    kline.high,
    kline.low,
    kline.close,
    kline.volume,
    kline.closeTimeMs,
    kline.quoteVolume,
    kline.trades,
    kline.takerBuyBaseVolume,
    kline.takerBuyQuoteVolume,
    kline.ignore,
  ];
}

/** Renders a zod error as "path: message" lines short enough for an error message. */
export function describeZodError(error: z.ZodError, maxIssues = 3): string {
  const issues = error.issues.slice(0, maxIssues).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
    return `at ${where}: ${issue.message}`;
  });
  const more = error.issues.length > maxIssues ? ` (and ${error.issues.length - maxIssues} more)` : '';
  return issues.join('; ') + more;
}
