/**
 * Is a symbol's newest candle recent enough to trade on? A pair that stopped trading (BGBPUSDC's
 * candles end in 2020) still answers /api/v3/klines with its old history, so a live system must look
 * at the age of the newest candle rather than trusting that an answer means a market.
 */
import { MINUTE_MS } from '../time.js';
import { StaleSymbolError } from './errors.js';
import type { KlineColumns } from './kline.js';

export interface FreshnessStatus {
  symbol: string;
  stale: boolean;
  /** Open time of the newest candle; undefined when there is none. */
  lastOpenTimeMs: number | undefined;
  /** Minutes from the newest candle's close to nowMs (Infinity without candles). */
  ageMinutes: number;
  staleAfterMinutes: number;
}

export function checkFreshness(
  symbol: string,
  lastOpenTimeMs: number | undefined,
  nowMs: number,
  staleAfterMinutes: number,
): FreshnessStatus {
  const ageMinutes =
    lastOpenTimeMs === undefined
      ? Number.POSITIVE_INFINITY
      : (nowMs - (lastOpenTimeMs + MINUTE_MS)) / MINUTE_MS;
  return { symbol, stale: ageMinutes > staleAfterMinutes, lastOpenTimeMs, ageMinutes, staleAfterMinutes };
}

export function checkColumnsFreshness(
  columns: KlineColumns,
  nowMs: number,
  staleAfterMinutes: number,
): FreshnessStatus {
  const rows = columns.openTimeMs.length;
  return checkFreshness(
    columns.symbol,
    rows > 0 ? columns.openTimeMs[rows - 1] : undefined,
    nowMs,
    staleAfterMinutes,
  );
}

/** For callers that must refuse a stale symbol rather than skip it. */
export function requireFresh(status: FreshnessStatus): void {
  if (status.stale) {
    throw new StaleSymbolError(
      status.symbol,
      status.lastOpenTimeMs,
      status.ageMinutes,
      status.staleAfterMinutes,
    );
  }
}
