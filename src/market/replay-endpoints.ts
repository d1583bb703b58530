/**
 * What the replay server answers on each Binance endpoint, from the stored candles at the simulated now.
 * It never serves a candle that has not closed by then: a replay that leaks the future would make any
 * strategy look good. The book it quotes is built from the candles: mid = the open of the minute now is
 * in (the first trade of that minute, already known at its start), else the newest close; bid and ask a
 * configurable half-spread either side. A bad request is refused with Binance's own code and message.
 */
import { MINUTE_MS } from '../time.js';
import { klineToRaw, type BinanceErrorBody } from './binance-schema.js';
import { checkColumnsFreshness } from './freshness.js';
import type { KlineColumns } from './kline.js';
import { columnsToKlines, lowerBound } from './kline-columns.js';

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 500;

/** The candles served and the simulated now they are served at. */
export interface ReplayMarket {
  data: ReadonlyMap<string, KlineColumns>;
  nowMs(): number;
  /** exchangeInfo reports a symbol without a candle in this many minutes as BREAK. */
  breakAfterMinutes: number;
  /** bookTicker quotes bid and ask this many basis points below and above the mid. */
  halfSpreadBps: number;
}

/** A request Binance would refuse with HTTP 400 and this body. */
export class BadRequest extends Error {
  constructor(readonly body: BinanceErrorBody) {
    super(body.msg);
  }
}

export function integerParam(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  if (!/^\d{1,16}$/.test(text)) {
    throw new BadRequest({
      code: -1100,
      msg: `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
    });
  }
  return Number(text);
}

/**
 * The mid price the replay quotes at nowMs: the open of the candle opening in now's minute when the data
 * has it, else the close of the newest candle opening before now's minute; undefined before the data.
 */
export function replayMidPrice(columns: KlineColumns, nowMs: number): number | undefined {
  const minuteMs = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const at = lowerBound(columns.openTimeMs, minuteMs);
  if (at < columns.openTimeMs.length && columns.openTimeMs[at] === minuteMs) return columns.open[at];
  return at > 0 ? columns.close[at - 1] : undefined;
}

export interface KlinesQueryMs {
  startTimeMs?: number;
  endTimeMs?: number;
  limit: number;
}

/**
 * Rows [start, end) Binance would answer at nowMs, counting only closed candles (open time at least a
 * minute before now). With startTime: the first `limit` from there; otherwise the last `limit` up to
 * endTime (or now).
 */
export function selectKlineRows(
  openTimeMs: Float64Array,
  query: KlinesQueryMs,
  nowMs: number,
): [number, number] {
  const lastClosedOpenMs = nowMs - MINUTE_MS;
  const upToMs = Math.min(query.endTimeMs ?? Number.POSITIVE_INFINITY, lastClosedOpenMs);
  const end = lowerBound(openTimeMs, Math.floor(upToMs) + 1);
  if (query.startTimeMs !== undefined) {
    const start = lowerBound(openTimeMs, query.startTimeMs);
    return start >= end ? [start, start] : [start, Math.min(end, start + query.limit)];
  }
  return [Math.max(0, end - query.limit), end];
}

/** The symbol a request names and its candles; refused the way Binance refuses a missing or unknown one. */
function requestedSymbol(
  market: ReplayMarket,
  params: URLSearchParams,
): { symbol: string; columns: KlineColumns } {
  const symbol = params.get('symbol');
  if (!symbol) {
    throw new BadRequest({
      code: -1102,
      msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    });
  }
  const columns = market.data.get(symbol);
  if (!columns) throw new BadRequest({ code: -1121, msg: 'Invalid symbol.' });
  return { symbol, columns };
}

/** GET /api/v3/klines: 1m candles closed by now, as Binance's raw arrays. */
export function klinesBody(market: ReplayMarket, params: URLSearchParams): unknown {
  const { columns } = requestedSymbol(market, params);
  const interval = params.get('interval');
  if (!interval) {
    throw new BadRequest({
      code: -1102,
      msg: "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
    });
  }
  if (interval !== '1m') throw new BadRequest({ code: -1120, msg: 'Invalid interval.' });
  const limit = integerParam(params, 'limit') ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) {
    throw new BadRequest({ code: -1130, msg: "Data sent for parameter 'limit' is not valid." });
  }
  const startTimeMs = integerParam(params, 'startTime');
  const endTimeMs = integerParam(params, 'endTime');
  if (startTimeMs !== undefined && endTimeMs !== undefined && startTimeMs > endTimeMs) {
    throw new BadRequest({ code: -1128, msg: 'Combination of optional parameters invalid.' });
  }
  const [start, end] = selectKlineRows(columns.openTimeMs, { startTimeMs, endTimeMs, limit }, market.nowMs());
  return columnsToKlines(columns, start, end).map(klineToRaw);
}

/** GET /api/v3/ticker/bookTicker: the book the half-spread puts around now's mid. */
export function bookTickerBody(market: ReplayMarket, params: URLSearchParams): unknown {
  const { symbol, columns } = requestedSymbol(market, params);
  const mid = replayMidPrice(columns, market.nowMs());
  if (mid === undefined)
    throw new BadRequest({ code: -1013, msg: `No price for ${symbol} before the data starts.` });
  const halfSpread = market.halfSpreadBps * 1e-4;
  return {
    symbol,
    bidPrice: (mid * (1 - halfSpread)).toFixed(8),
    bidQty: '1.00000000',
    askPrice: (mid * (1 + halfSpread)).toFixed(8),
    askQty: '1.00000000',
  };
}

/** GET /api/v3/exchangeInfo: every symbol, TRADING or BREAK by the freshness of its candles at now. */
export function exchangeInfoBody(market: ReplayMarket): unknown {
  const serverTime = market.nowMs();
  return {
    timezone: 'UTC',
    serverTime,
    symbols: [...market.data.values()].map((columns: KlineColumns) => ({
      symbol: columns.symbol,
      status: checkColumnsFreshness(columns, serverTime, market.breakAfterMinutes).stale
        ? 'BREAK'
        : 'TRADING',
    })),
  };
}
