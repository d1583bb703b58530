/**
 * Where ingest gets candles from. A KlineSource hands back one symbol's candles for a time range as
 * columns, plus the raw files they came from when there are any (archives), so the lake can keep them.
 * `parseSourceSpec` turns the CLI's `--source` value into one.
 */
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { DAY_MS, floorToMinute } from '../time.js';
import { BinanceClient } from './binance-client.js';
import type { KlineColumns } from './kline.js';

/** [fromMs, toMs): open times from fromMs (inclusive) to toMs (exclusive), UTC epoch ms. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface RawArchive {
  fileName: string;
  bytes: Uint8Array;
}

export interface SourceFetch {
  columns: KlineColumns;
  rawArchives?: RawArchive[];
}

export interface KlineSource {
  readonly name: string;
  /** Candles with open time in [fromMs, toMs), sorted, without duplicates. */
  fetch(
    symbol: string,
    fromMs: number,
    toMs: number,
    onProgress?: (fetchedRows: number, expectedRows: number) => void,
  ): Promise<SourceFetch>;
  /** The range ingested when the user gives none and the lake has no watermark for the symbol. */
  defaultRange?(symbol: string): Promise<TimeRange | undefined> | TimeRange | undefined;
  /** The symbols the source holds, for sources that know them (an archive folder, the synthetic market). */
  listSymbols?(): Promise<string[]>;
}

export class UnknownSourceError extends Alpha15Error {
  constructor(spec: string) {
    super(`unknown source "${spec}"`, 'use --source binance, --source archive:<dir> or --source synthetic');
  }
}

/** How far back a first REST ingest reaches when no --from is given. */
export const DEFAULT_REST_LOOKBACK_DAYS = 30;

export function binanceSource(client: BinanceClient, nowMs: () => number = Date.now): KlineSource {
  return {
    name: 'binance',
    fetch: async (symbol, fromMs, toMs, onProgress) => ({ columns: await client.klinesRange(symbol, fromMs, toMs, onProgress) }),
    defaultRange: () => {
      const toMs = floorToMinute(nowMs());
      return { fromMs: toMs - DEFAULT_REST_LOOKBACK_DAYS * DAY_MS, toMs };
    },
  };
}

export function parseSourceSpec(spec: string, config: Config): KlineSource {
  if (spec === 'binance') {
    return binanceSource(new BinanceClient({ baseUrl: config.binanceBaseUrl, timeoutMs: config.requestTimeoutMs }));
  }
  throw new UnknownSourceError(spec);
}
