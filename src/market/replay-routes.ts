/**
 * The replay server's router: which method and path reach which endpoint, the clock-moving POST, and
 * every failure turned into a Binance-shaped error body with its HTTP status. It knows nothing of HTTP
 * sockets; replay-server.ts writes what it returns.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ReplayClock } from './replay-clock.js';
import {
  BadRequest,
  bookTickerBody,
  exchangeInfoBody,
  integerParam,
  klinesBody,
  type ReplayMarket,
} from './replay-endpoints.js';

export interface ReplayRequest {
  method: string | undefined;
  url: URL;
  headers: IncomingHttpHeaders;
}

export interface ReplayReply {
  status: number;
  body: unknown;
}

/**
 * Why a clock move is refused, if it is: a running clock is the replay's promise that time only moves
 * forward; and a web page the user happens to open must never be able to move the clock (a browser
 * always sends Origin or Sec-Fetch-Site on a POST, scripts and our own tests send neither).
 */
function clockMoveRefusal(headers: IncomingHttpHeaders, clock: ReplayClock): string | undefined {
  if (!clock.manual)
    return 'the clock is running; only a replay server started with a manual clock can be moved by hand';
  const site = headers['sec-fetch-site'];
  if (headers.origin !== undefined || (site !== undefined && site !== 'none'))
    return 'the clock cannot be moved from a browser page';
  return undefined;
}

/** POST /_replay/time?timeMs=: moves a manual clock. */
function moveClock(request: ReplayRequest, clock: ReplayClock): ReplayReply {
  const refusal = clockMoveRefusal(request.headers, clock);
  if (refusal) return { status: 403, body: { code: -1002, msg: refusal } };
  const timeMs = integerParam(request.url.searchParams, 'timeMs');
  if (timeMs === undefined)
    throw new BadRequest({ code: -1102, msg: "Mandatory parameter 'timeMs' was not sent." });
  clock.setTimeMs(timeMs);
  return { status: 200, body: { serverTime: clock.nowMs() } };
}

function getEndpoint(url: URL, market: ReplayMarket): ReplayReply {
  switch (url.pathname) {
    case '/api/v3/klines':
      return { status: 200, body: klinesBody(market, url.searchParams) };
    case '/api/v3/time':
      return { status: 200, body: { serverTime: market.nowMs() } };
    case '/api/v3/exchangeInfo':
      return { status: 200, body: exchangeInfoBody(market) };
    case '/api/v3/ticker/bookTicker':
      return { status: 200, body: bookTickerBody(market, url.searchParams) };
    case '/api/v3/ping':
      return { status: 200, body: {} };
    default:
      return {
        status: 404,
        body: {
          code: -1,
          msg: `Unknown path ${url.pathname}; the replay server serves /api/v3/klines, /time, /exchangeInfo, /ticker/bookTicker.`,
        },
      };
  }
}

/** The reply to one request: 400 with Binance's body for a bad one, 500 for anything unexpected. */
export function routeReplayRequest(
  request: ReplayRequest,
  market: ReplayMarket,
  clock: ReplayClock,
): ReplayReply {
  try {
    if (request.method === 'POST' && request.url.pathname === '/_replay/time')
      return moveClock(request, clock);
    if (request.method !== 'GET') return { status: 405, body: { code: -1, msg: 'Only GET is supported.' } };
    return getEndpoint(request.url, market);
  } catch (error) {
    if (error instanceof BadRequest) return { status: 400, body: error.body };
    return {
      status: 500,
      body: { code: -1000, msg: error instanceof Error ? error.message : String(error) },
    };
  }
}
