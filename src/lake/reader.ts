/**
 * Reads the lake back: one symbol as KlineColumns, or several on one gap-aware grid (the feature
 * builder's input). Only the partitions that overlap the range are fetched, several at a time, and
 * each is copied straight onto the grid: no per-row objects, no intermediate concatenation.
 */
import type { KlineColumns } from '../market/kline.js';
import { concatColumns, lowerBound, sliceColumns } from '../market/kline-columns.js';
import type { ObjectStore } from '../store/object-store.js';
import { MINUTE_MS } from '../time.js';
import type { MarketFrame } from './frame.js';
import { emptySymbolColumns, gridSpec, placeOnGrid } from './grid.js';
import { nextPartitionStartMs, partitionStartFromKey, symbolPartitionsPrefix } from './layout.js';
import { parquetToKlines } from './parquet.js';
import { mapWithConcurrency } from './pool.js';

const READ_CONCURRENCY = 8;

/** Partition keys of a symbol whose month overlaps [fromMs, toMs), in time order. */
export async function partitionKeysInRange(
  store: ObjectStore,
  symbol: string,
  fromMs = Number.NEGATIVE_INFINITY,
  toMs = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  return (await store.list(symbolPartitionsPrefix(symbol))).filter((key) => {
    const startMs = partitionStartFromKey(key);
    return startMs !== undefined && startMs < toMs && nextPartitionStartMs(startMs) > fromMs;
  });
}

async function readPartitions(
  store: ObjectStore,
  symbol: string,
  fromMs: number | undefined,
  toMs: number | undefined,
  onPartition: (columns: KlineColumns) => void,
): Promise<void> {
  const keys = await partitionKeysInRange(store, symbol, fromMs, toMs);
  await mapWithConcurrency(keys, READ_CONCURRENCY, async (key) => {
    const bytes = await store.get(key);
    // a partition listed but gone (deleted in between) simply holds no candles
    if (bytes) onPartition(await parquetToKlines(symbol, bytes, key));
  });
}

/** One symbol's candles with open time in [fromMs, toMs) (the whole lake when omitted). */
export async function readSymbol(
  store: ObjectStore,
  symbol: string,
  fromMs?: number,
  toMs?: number,
): Promise<KlineColumns> {
  const parts: KlineColumns[] = [];
  await readPartitions(store, symbol, fromMs, toMs, (columns) => parts.push(columns));
  parts.sort((a, b) => (a.openTimeMs[0] ?? 0) - (b.openTimeMs[0] ?? 0));
  const joined = concatColumns(symbol, parts);
  const start = fromMs === undefined ? 0 : lowerBound(joined.openTimeMs, fromMs);
  const end = toMs === undefined ? joined.openTimeMs.length : lowerBound(joined.openTimeMs, toMs);
  return start === 0 && end === joined.openTimeMs.length ? joined : sliceColumns(joined, start, end);
}

/** Several symbols on the 1-minute grid of [fromMs, toMs); a symbol the lake lacks is all gap. */
export async function readFrame(
  store: ObjectStore,
  symbols: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<MarketFrame> {
  const grid = gridSpec(fromMs, toMs);
  const frame: MarketFrame = {
    symbols: [...symbols],
    startTimeMs: grid.startTimeMs,
    length: grid.length,
    columns: {},
  };
  for (const symbol of symbols) frame.columns[symbol] = emptySymbolColumns(grid.length);
  await Promise.all(
    symbols.map((symbol) =>
      readPartitions(store, symbol, grid.startTimeMs, grid.startTimeMs + grid.length * MINUTE_MS, (columns) =>
        placeOnGrid(frame.columns[symbol]!, grid, columns),
      ),
    ),
  );
  return frame;
}
