/**
 * A Binance-compatible server for stored data: `/api/v3/klines`, `/api/v3/time`, a minimal
 * `/api/v3/exchangeInfo` and `/api/v3/ticker/bookTicker` on 127.0.0.1, driven by a simulated clock, so
 * the live path (paper trading) runs offline and faster than real time. It never serves a candle that
 * has not closed by the simulated now: a replay that leaks the future would make any strategy look good.
 * The book it quotes is built from the candles: mid = the open of the minute now is in (the first trade
 * of that minute, already known at its start), else the newest close; bid and ask a configurable
 * half-spread either side.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MINUTE_MS } from '../time.js';
import { klineToRaw, type BinanceErrorBody } from './binance-schema.js';
import { checkColumnsFreshness } from './freshness.js';
import type { KlineColumns } from './kline.js';
import { columnsToKlines, lowerBound } from './kline-columns.js';
import {
  defaultReplayStartMs,
  loadReplayData,
  replayDataEndMs,
  type ReplaySourceSpec,
} from './replay-data.js';

export interface ReplayServerOptions {
  source: ReplaySourceSpec;
  /** Simulated time at start; default: the data's start + 512 minutes. */
  fromMs?: number;
  /** Simulated milliseconds per real millisecond. */
  speed?: number;
  port?: number;
  host?: string;
  /** Freeze the clock: it moves only through setTimeMs or POST /_replay/time. */
  manualClock?: boolean;
  /** Real time, epoch ms, that a running clock runs on (default Date.now): a test drives it by hand. */
  realNowMs?: () => number;
  /** Serve only these symbols (default: all in the data). */
  symbols?: readonly string[];
  /** exchangeInfo reports a symbol without a candle in this many minutes as BREAK. */
  breakAfterMinutes?: number;
  /** bookTicker quotes bid and ask this many basis points below and above the mid (default 1). */
  halfSpreadBps?: number;
}

export interface ReplayServer {
  url: string;
  fromMs: number;
  /** The end of the data, exclusive: from here on every kline request answers nothing new. */
  dataEndMs: number;
  speed: number;
  symbols: string[];
  nowMs(): number;
  setTimeMs(timeMs: number): void;
  close(): Promise<void>;
}

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 500;
/** Request weights as Binance counts them (klines 2, time 1, exchangeInfo 20). */
const WEIGHTS: Record<string, number> = {
  '/api/v3/klines': 2,
  '/api/v3/time': 1,
  '/api/v3/exchangeInfo': 20,
  '/api/v3/ticker/bookTicker': 2,
};
export const DEFAULT_HALF_SPREAD_BPS = 1;

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

class BadRequest extends Error {
  constructor(readonly body: BinanceErrorBody) {
    super(body.msg);
  }
}

function integerParam(params: URLSearchParams, name: string): number | undefined {
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
 * Why a clock move is refused, if it is: a running clock is the replay's promise that time only moves
 * forward; and a web page the user happens to open must never be able to move the clock (a browser
 * always sends Origin or Sec-Fetch-Site on a POST, scripts and our own tests send neither).
 */
function clockMoveRefusal(request: IncomingMessage, manualClock: boolean): string | undefined {
  if (!manualClock)
    return 'the clock is running; only a replay server started with a manual clock can be moved by hand';
  const site = request.headers['sec-fetch-site'];
  if (request.headers.origin !== undefined || (site !== undefined && site !== 'none'))
    return 'the clock cannot be moved from a browser page';
  return undefined;
}

export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const data = await loadReplayData(options.source, options.symbols);
  const speed = options.speed ?? 1;
  const fromMs = options.fromMs ?? defaultReplayStartMs(data);
  const breakAfterMinutes = options.breakAfterMinutes ?? 60;
  const halfSpreadBps = options.halfSpreadBps ?? DEFAULT_HALF_SPREAD_BPS;
  if (!(halfSpreadBps >= 0 && halfSpreadBps < 10_000))
    throw new RangeError(`halfSpreadBps must be at least 0 and below 10000, got ${halfSpreadBps}`);

  // the simulated clock: anchorMs at real time anchorRealMs, advancing `speed` times faster
  const realNowMs = options.realNowMs ?? Date.now;
  let anchorMs = fromMs;
  let anchorRealMs = realNowMs();
  const nowMs = () =>
    options.manualClock ? anchorMs : Math.floor(anchorMs + (realNowMs() - anchorRealMs) * speed);
  const setTimeMs = (timeMs: number) => {
    anchorMs = timeMs;
    anchorRealMs = realNowMs();
  };

  // used weight per real minute, reported like Binance does
  let weightMinute = 0;
  let usedWeight = 0;
  const addWeight = (weight: number) => {
    const minute = Math.floor(Date.now() / MINUTE_MS);
    if (minute !== weightMinute) {
      weightMinute = minute;
      usedWeight = 0;
    }
    usedWeight += weight;
    return usedWeight;
  };

  /** The symbol a request names and its candles; refused the way Binance refuses a missing or unknown one. */
  const requestedSymbol = (params: URLSearchParams): { symbol: string; columns: KlineColumns } => {
    const symbol = params.get('symbol');
    if (!symbol) {
      throw new BadRequest({
        code: -1102,
        msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      });
    }
    const columns = data.get(symbol);
    if (!columns) throw new BadRequest({ code: -1121, msg: 'Invalid symbol.' });
    return { symbol, columns };
  };

  const klinesBody = (params: URLSearchParams): unknown => {
    const { columns } = requestedSymbol(params);
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
    const [start, end] = selectKlineRows(columns.openTimeMs, { startTimeMs, endTimeMs, limit }, nowMs());
    return columnsToKlines(columns, start, end).map(klineToRaw);
  };

  const bookTickerBody = (params: URLSearchParams): unknown => {
    const { symbol, columns } = requestedSymbol(params);
    const mid = replayMidPrice(columns, nowMs());
    if (mid === undefined)
      throw new BadRequest({ code: -1013, msg: `No price for ${symbol} before the data starts.` });
    const halfSpread = halfSpreadBps * 1e-4;
    return {
      symbol,
      bidPrice: (mid * (1 - halfSpread)).toFixed(8),
      bidQty: '1.00000000',
      askPrice: (mid * (1 + halfSpread)).toFixed(8),
      askQty: '1.00000000',
    };
  };

  const exchangeInfoBody = () => {
    const serverTime = nowMs();
    return {
      timezone: 'UTC',
      serverTime,
      symbols: [...data.values()].map((columns: KlineColumns) => ({
        symbol: columns.symbol,
        status: checkColumnsFreshness(columns, serverTime, breakAfterMinutes).stale ? 'BREAK' : 'TRADING',
      })),
    };
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://replay');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, {
        'content-type': 'application/json;charset=UTF-8',
        'x-mbx-used-weight': String(usedWeight),
        'x-mbx-used-weight-1m': String(usedWeight),
      });
      response.end(JSON.stringify(body));
    };
    addWeight(WEIGHTS[url.pathname] ?? 1);
    try {
      if (request.method === 'POST' && url.pathname === '/_replay/time') {
        const refusal = clockMoveRefusal(request, options.manualClock === true);
        if (refusal) return reply(403, { code: -1002, msg: refusal });
        const timeMs = integerParam(url.searchParams, 'timeMs');
        if (timeMs === undefined)
          throw new BadRequest({ code: -1102, msg: "Mandatory parameter 'timeMs' was not sent." });
        setTimeMs(timeMs);
        return reply(200, { serverTime: nowMs() });
      }
      if (request.method !== 'GET') return reply(405, { code: -1, msg: 'Only GET is supported.' });
      switch (url.pathname) {
        case '/api/v3/klines':
          return reply(200, klinesBody(url.searchParams));
        case '/api/v3/time':
          return reply(200, { serverTime: nowMs() });
        case '/api/v3/exchangeInfo':
          return reply(200, exchangeInfoBody());
        case '/api/v3/ticker/bookTicker':
          return reply(200, bookTickerBody(url.searchParams));
        case '/api/v3/ping':
          return reply(200, {});
        default:
          return reply(404, {
            code: -1,
            msg: `Unknown path ${url.pathname}; the replay server serves /api/v3/klines, /time, /exchangeInfo, /ticker/bookTicker.`,
          });
      }
    } catch (error) {
      if (error instanceof BadRequest) return reply(400, error.body);
      return reply(500, { code: -1000, msg: error instanceof Error ? error.message : String(error) });
    }
  };

  const server = createServer(handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    fromMs,
    dataEndMs: replayDataEndMs(data),
    speed,
    symbols: [...data.keys()].sort(),
    nowMs,
    setTimeMs,
    // closing twice is fine: a test that kills the server mid-run and its cleanup both close it
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
