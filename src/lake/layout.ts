/**
 * Every object key the lake uses, in one place, below the prefixes of src/contracts/keys.ts. Curated klines are Hive-style partitions
 * (`symbol=<SYM>/month=<YYYY-MM>`) so Athena, DuckDB and pandas can query the lake as one table.
 *
 * A partition holds one symbol's UTC calendar month (up to 44,640 candles, ~4 MB). Months rather than
 * days: measured on the real month, creating 28x more objects cost more than parsing the CSVs, and
 * query engines prefer fewer, larger files; a live update rewrites one month object, which is cheap.
 */

import { CURATED_KLINES_PREFIX, RAW_KLINES_PREFIX, WATERMARKS_PREFIX } from '../contracts/keys.js';

export const PARTITION_FILE_NAME = 'klines.parquet';

/** A source archive kept as it came, e.g. raw/klines/BTCUSDT/BTCUSDT-1m-2026-02.zip. */
export function rawArchiveKey(symbol: string, fileName: string): string {
  return `${RAW_KLINES_PREFIX}${symbol}/${fileName}`;
}

export function symbolPartitionsPrefix(symbol: string): string {
  return `${CURATED_KLINES_PREFIX}symbol=${symbol}/`;
}

/** The partition that holds the candles opening in the UTC month that starts at `monthStartMs`. */
export function partitionKey(symbol: string, monthStartMs: number): string {
  return `${partitionFolder(symbol, partitionId(monthStartMs))}${PARTITION_FILE_NAME}`;
}

/** The folder of one symbol-month; the Glue catalog's location template is this with placeholders. */
export function partitionFolder(symbol: string, month: string): string {
  return `${symbolPartitionsPrefix(symbol)}month=${month}/`;
}

/** A partition's name within a symbol: its UTC month, YYYY-MM. */
export function partitionId(monthStartMs: number): string {
  return new Date(monthStartMs).toISOString().slice(0, 7);
}

export function watermarkKey(symbol: string): string {
  return `${WATERMARKS_PREFIX}${symbol}.json`;
}

/** Start of the UTC month (= partition) that `timeMs` falls in. */
export function partitionStartMs(timeMs: number): number {
  const time = new Date(timeMs);
  return Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), 1);
}

/** Start of the partition after the one starting at `startMs`. */
export function nextPartitionStartMs(startMs: number): number {
  const time = new Date(startMs);
  return Date.UTC(time.getUTCFullYear(), time.getUTCMonth() + 1, 1);
}

/** The month start a partition key stands for, or undefined for a key that is no partition. */
export function partitionStartFromKey(key: string): number | undefined {
  const match = /\/month=(\d{4})-(\d{2})\/[^/]+\.parquet$/.exec(key);
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, 1) : undefined;
}

/** The symbol a watermark key belongs to, or undefined for any other key. */
export function symbolOfWatermarkKey(key: string): string | undefined {
  return /^curated\/watermarks\/([^/]+)\.json$/.exec(key)?.[1];
}
