/**
 * Every object key the lake uses, in one place. Curated klines are Hive-style partitions
 * (`symbol=<SYM>/date=<YYYY-MM-DD>`) so Athena, DuckDB and pandas can query the lake as one table.
 */
import { DAY_MS } from '../time.js';

export const RAW_KLINES_PREFIX = 'raw/klines/';
export const CURATED_KLINES_PREFIX = 'curated/klines/';
export const WATERMARKS_PREFIX = 'curated/watermarks/';
export const PARTITION_FILE_NAME = 'klines.parquet';

/** A source archive kept as it came, e.g. raw/klines/BTCUSDT/BTCUSDT-1m-2026-02.zip. */
export function rawArchiveKey(symbol: string, fileName: string): string {
  return `${RAW_KLINES_PREFIX}${symbol}/${fileName}`;
}

export function symbolPartitionsPrefix(symbol: string): string {
  return `${CURATED_KLINES_PREFIX}symbol=${symbol}/`;
}

/** The partition that holds the candles opening on the UTC day that starts at `dayStartMs`. */
export function partitionKey(symbol: string, dayStartMs: number): string {
  return `${symbolPartitionsPrefix(symbol)}date=${utcDate(dayStartMs)}/${PARTITION_FILE_NAME}`;
}

export function watermarkKey(symbol: string): string {
  return `${WATERMARKS_PREFIX}${symbol}.json`;
}

export function dayStartMs(timeMs: number): number {
  return Math.floor(timeMs / DAY_MS) * DAY_MS;
}

export function utcDate(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** The UTC day start a partition key stands for, or undefined for a key that is no partition. */
export function partitionDayMs(key: string): number | undefined {
  const match = /\/date=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/.exec(key);
  return match ? Date.parse(`${match[1]}T00:00:00Z`) : undefined;
}

/** Symbols that have curated partitions, read from the partition keys. */
export function symbolsInKeys(keys: readonly string[]): string[] {
  const symbols = new Set<string>();
  for (const key of keys) {
    const match = /^curated\/klines\/symbol=([^/]+)\//.exec(key);
    if (match) symbols.add(match[1]!);
  }
  return [...symbols].sort();
}
