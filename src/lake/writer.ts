/**
 * Writes one symbol's candles into the lake: one Parquet partition per UTC month, merged by open time
 * with what is stored. Every partition is read and merged before the first one is written, so a
 * conflict (merge.ts) anywhere leaves the lake untouched. Each partition is a single atomic put, so a
 * reader sees a month's old file or its new one, never a mix; the watermark moves only after every
 * partition it covers is written.
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
import { mergeKlines, type ReplacedKline } from './merge.js';
import { unionOfKinds, type SourceKind } from '../market/source-kind.js';
import { klinesToParquet, parquetToPartition } from './parquet.js';
import { mapWithConcurrency } from './pool.js';
import { commitWatermark, partitionStats } from './watermark.js';

export interface WriteResult {
  /** Candles whose open time the lake did not hold before. */
  rowsAdded: number;
  /** Partitions (symbol-months) that were (re)written; 0 when nothing changed. */
  partitionsWritten: number;
  /** Stored candles replaced by different ones (only with `overwrite`). */
  replaced: ReplacedKline[];
}

export interface WriteOptions {
  /** Partitions read/written at the same time (S3 round trips overlap). */
  concurrency?: number;
  /** Replace stored candles that differ from the incoming ones instead of failing (KlineConflictError). */
  overwrite?: boolean;
  /** Where the incoming candles come from, recorded in every partition they reach (source-kind.ts). */
  source?: SourceKind;
}

export async function writeKlines(
  store: ObjectStore,
  columns: KlineColumns,
  options: WriteOptions = {},
): Promise<WriteResult> {
  return (await prepareKlinesWrite(store, columns, options)).commit();
}

/**
 * The read-and-merge half of `writeKlines`: every affected partition read and merged (a conflict
 * throws here), nothing written until `commit()`. Ingest stores the raw archive in between, so raw/
 * never keeps a file whose candles were refused, and curated rows never exist without their raw file.
 */
export async function prepareKlinesWrite(
  store: ObjectStore,
  columns: KlineColumns,
  options: WriteOptions = {},
): Promise<{ commit: () => Promise<WriteResult> }> {
  const sorted = normaliseColumns(columns);
  const times = sorted.openTimeMs;
  if (times.length === 0)
    return { commit: async () => ({ rowsAdded: 0, partitionsWritten: 0, replaced: [] }) };

  const partitions: { startMs: number; start: number; end: number }[] = [];
  for (let start = 0; start < times.length;) {
    const startMs = partitionStartMs(times[start]!);
    const end = lowerBound(times, nextPartitionStartMs(startMs));
    partitions.push({ startMs, start, end });
    start = end;
  }

  // one listing instead of a lookup per partition: on S3 a LIST replaces GETs answered 404
  const storedKeys = new Set(await store.list(symbolPartitionsPrefix(sorted.symbol)));
  const concurrency = options.concurrency ?? 4;
  const merges = await mapWithConcurrency(partitions, concurrency, async ({ startMs, start, end }) => {
    const key = partitionKey(sorted.symbol, startMs);
    const incoming = sliceColumns(sorted, start, end);
    const storedBytes = storedKeys.has(key) ? await store.get(key) : undefined;
    if (!storedBytes) {
      const sources = options.source && [options.source];
      return {
        key,
        startMs,
        merged: incoming,
        rowsAdded: incoming.openTimeMs.length,
        replaced: [],
        changed: true,
        sources,
      };
    }
    const stored = await parquetToPartition(sorted.symbol, storedBytes, key);
    const merge = mergeKlines(stored.columns, incoming, options);
    return {
      key,
      startMs,
      ...merge,
      sources: partitionSourcesAfter(stored.sources, merge.changed, options.source),
    };
  });
  return {
    commit: async () => {
      const perPartition = await mapWithConcurrency(merges, concurrency, async (merge) => {
        if (merge.changed) await store.put(merge.key, klinesToParquet(merge.merged, merge.sources));
        return {
          id: partitionId(merge.startMs),
          stats: partitionStats(merge.merged, merge.sources),
          ...merge,
        };
      });
      await commitWatermark(
        store,
        sorted.symbol,
        Object.fromEntries(perPartition.map((partition) => [partition.id, partition.stats])),
      );
      return {
        rowsAdded: perPartition.reduce((sum, partition) => sum + partition.rowsAdded, 0),
        partitionsWritten: perPartition.filter((partition) => partition.changed).length,
        replaced: perPartition.flatMap((partition) => partition.replaced),
      };
    },
  };
}

/**
 * What a stored partition records after the merge: the incoming kind joins only when the file is
 * rewritten; a partition that recorded no sources stays unknown (its older candles' origin is not
 * known, and naming only the new kind would misstate them).
 */
function partitionSourcesAfter(
  stored: SourceKind[] | undefined,
  changed: boolean,
  incoming: SourceKind | undefined,
): SourceKind[] | undefined {
  if (!stored || !changed || !incoming) return stored;
  return unionOfKinds(stored, [incoming]);
}
