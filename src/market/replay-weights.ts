/**
 * Request weight accounting as Binance reports it: each request adds its endpoint's weight to the
 * current real minute's total, which the replay server returns in the `x-mbx-used-weight` headers. The
 * count resets when the real minute changes.
 */
import { MINUTE_MS } from '../time.js';

/** Request weights as Binance counts them (klines 2, time 1, exchangeInfo 20, bookTicker 2). */
const REQUEST_WEIGHTS: Readonly<Record<string, number>> = {
  '/api/v3/klines': 2,
  '/api/v3/time': 1,
  '/api/v3/exchangeInfo': 20,
  '/api/v3/ticker/bookTicker': 2,
};
/** Any other path, unknown ones included. */
const DEFAULT_REQUEST_WEIGHT = 1;

export interface UsedWeight {
  /** Counts one request to this path; returns the weight used in the current real minute, it included. */
  add(pathname: string): number;
}

/** @param realNowMs real time, epoch ms (default Date.now) */
export function usedWeightPerMinute(realNowMs: () => number = Date.now): UsedWeight {
  let minute = 0;
  let usedWeight = 0;
  return {
    add(pathname) {
      const nowMinute = Math.floor(realNowMs() / MINUTE_MS);
      if (nowMinute !== minute) {
        minute = nowMinute;
        usedWeight = 0;
      }
      usedWeight += REQUEST_WEIGHTS[pathname] ?? DEFAULT_REQUEST_WEIGHT;
      return usedWeight;
    },
  };
}
