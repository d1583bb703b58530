/**
 * A Binance-compatible server for stored data: `/api/v3/klines`, `/api/v3/time`, a minimal
 * `/api/v3/exchangeInfo` and `/api/v3/ticker/bookTicker` on 127.0.0.1, driven by a simulated clock, so
 * the live path (paper trading) runs offline and faster than real time. This module loads the data and
 * serves HTTP; the clock (replay-clock.ts), the weight accounting (replay-weights.ts), the router
 * (replay-routes.ts) and what each endpoint answers (replay-endpoints.ts) live beside it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replayClock } from './replay-clock.js';
import {
  defaultReplayStartMs,
  loadReplayData,
  replayDataEndMs,
  type ReplaySourceSpec,
} from './replay-data.js';
import { routeReplayRequest } from './replay-routes.js';
import { usedWeightPerMinute } from './replay-weights.js';

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

export const DEFAULT_HALF_SPREAD_BPS = 1;

export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const data = await loadReplayData(options.source, options.symbols);
  const speed = options.speed ?? 1;
  const fromMs = options.fromMs ?? defaultReplayStartMs(data);
  const halfSpreadBps = options.halfSpreadBps ?? DEFAULT_HALF_SPREAD_BPS;
  if (!(halfSpreadBps >= 0 && halfSpreadBps < 10_000))
    throw new RangeError(`halfSpreadBps must be at least 0 and below 10000, got ${halfSpreadBps}`);
  const clock = replayClock({
    fromMs,
    speed,
    manual: options.manualClock === true,
    realNowMs: options.realNowMs,
  });
  const market = {
    data,
    nowMs: clock.nowMs,
    breakAfterMinutes: options.breakAfterMinutes ?? 60,
    halfSpreadBps,
  };
  const usedWeight = usedWeightPerMinute(options.realNowMs);

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://replay');
    // used weight per real minute, reported like Binance does
    const weight = String(usedWeight.add(url.pathname));
    const reply = routeReplayRequest(
      { method: request.method, url, headers: request.headers },
      market,
      clock,
    );
    response.writeHead(reply.status, {
      'content-type': 'application/json;charset=UTF-8',
      'x-mbx-used-weight': weight,
      'x-mbx-used-weight-1m': weight,
    });
    response.end(JSON.stringify(reply.body));
  });
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
    nowMs: clock.nowMs,
    setTimeMs: clock.setTimeMs,
    // closing twice is fine: a test that kills the server mid-run and its cleanup both close it
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
