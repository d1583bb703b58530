/**
 * Writes one symbol's candles into the lake: one Parquet partition per UTC month, merged by open time
 * with what is stored. Each partition is a single atomic put, so a reader sees a month's old file or
 * its new one, never a mix; the watermark moves only after every partition it covers is written.
 */
import type { KlineColumns } from '../market/kline.js';
import { lowerBound, normaliseColumns, sliceColumns } from '../market/kline-columns.js';
import type { ObjectStore } from '../store/object-store.js';
import {
  nextPartitionStartMs,
  partitionId,
  partitionKey,
  partitionStartMs,
  symbolPartitionsPrefix,
} from './layout.js';
import { mergeKlines } from './merge.js';
import { klinesToParquet, parquetToKlines } from './parquet.js';
import { mapWithConcurrency } from './pool.js';
import { commitWatermark } from './watermark.js';

export interface WriteResult {
  /** Candles whose open time the lake did not hold before. */
  rowsAdded: number;
  /** Partitions (symbol-months) that were (re)written; 0 when nothing changed. */
  partitionsWritten: number;
}

export interface WriteOptions {
  /** Partitions read/written at the same time (S3 round trips overlap). */
  concurrency?: number;
}

export async function writeKlines(
  store: ObjectStore,
  columns: KlineColumns,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const sorted = normaliseColumns(columns);
  const times = sorted.openTimeMs;
  if (times.length === 0) return { rowsAdded: 0, partitionsWritten: 0 };

  const partitions: { startMs: number; start: number; end: number }[] = [];
  for (let start = 0; start < times.length;) {
    const startMs = partitionStartMs(times[start]!);
    const end = lowerBound(times, nextPartitionStartMs(startMs));
    partitions.push({ startMs, start, end });
    start = end;
  }

  // one listing instead of a lookup per partition: on S3 a LIST replaces GETs answered 404
  const storedKeys = new Set(await store.list(symbolPartitionsPrefix(sorted.symbol)));
  const perPartition = await mapWithConcurrency(
    partitions,
    options.concurrency ?? 4,
    async ({ startMs, start, end }) => {
      const key = partitionKey(sorted.symbol, startMs);
      const incoming = sliceColumns(sorted, start, end);
      const storedBytes = storedKeys.has(key) ? await store.get(key) : undefined;
      const { merged, rowsAdded, changed } = storedBytes
        ? mergeKlines(await parquetToKlines(sorted.symbol, storedBytes, key), incoming)
        : { merged: incoming, rowsAdded: incoming.openTimeMs.length, changed: true };
      if (changed) await store.put(key, klinesToParquet(merged));
      const mergedTimes = merged.openTimeMs;
      const stats = {
        rows: mergedTimes.length,
        firstOpenTimeMs: mergedTimes[0]!,
        lastOpenTimeMs: mergedTimes[mergedTimes.length - 1]!,
      };
      return { id: partitionId(startMs), stats, rowsAdded, written: changed ? 1 : 0 };
    },
  );

  await commitWatermark(
    store,
    sorted.symbol,
    Object.fromEntries(perPartition.map((partition) => [partition.id, partition.stats])),
  );
  return {
    rowsAdded: perPartition.reduce((sum, partition) => sum + partition.rowsAdded, 0),
    partitionsWritten: perPartition.reduce((sum, partition) => sum + partition.written, 0),
  };
}
