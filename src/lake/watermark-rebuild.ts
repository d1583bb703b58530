/**
 * The watermark checked against, and rebuilt from, the partitions actually stored. A watermark is a
 * summary written after its partitions, so it can go stale: a partition deleted or truncated by hand,
 * or a run that died between writing partitions and committing. Trusting it then makes ingest skip
 * data the lake does not have ("nothing new").
 */
import type { ObjectStore } from '../store/object-store.js';
import { MINUTE_MS } from '../time.js';
import { partitionId, partitionStartFromKey, symbolPartitionsPrefix } from './layout.js';
import { CorruptPartitionError, parquetToPartition } from './parquet.js';
import {
  CorruptWatermarkError,
  partitionStats,
  readWatermark,
  replaceWatermark,
  type Watermark,
} from './watermark.js';

/** Stored partition ids (YYYY-MM) of a symbol, with their keys. */
export async function storedPartitions(store: ObjectStore, symbol: string): Promise<Map<string, string>> {
  const partitions = new Map<string, string>();
  for (const key of await store.list(symbolPartitionsPrefix(symbol))) {
    const startMs = partitionStartFromKey(key);
    if (startMs !== undefined) partitions.set(partitionId(startMs), key);
  }
  return partitions;
}

/**
 * Reads every stored partition of the symbol and makes the watermark say exactly what they hold. An
 * unreadable partition holds nothing a reader could get: it is left out (`data verify` reports it),
 * unless it is in `keepClaims`: repair keeps the claim of a partition it could not rebuild, so the
 * loss stays on record instead of vanishing with the claim.
 */
export async function rebuildWatermark(
  store: ObjectStore,
  symbol: string,
  { keepClaims }: { keepClaims?: ReadonlySet<string> } = {},
): Promise<Watermark> {
  const stats: Watermark['partitions'] = {};
  for (const [id, key] of await storedPartitions(store, symbol)) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    try {
      const partition = await parquetToPartition(symbol, bytes, key);
      stats[id] = partitionStats(partition.columns, partition.sources);
    } catch (error) {
      if (!(error instanceof CorruptPartitionError)) throw error;
    }
  }
  const current = await readWatermarkIfReadable(store, symbol);
  for (const id of keepClaims ?? []) {
    const claim = current?.partitions[id];
    if (claim && !stats[id]) stats[id] = claim;
  }
  return replaceWatermark(store, symbol, stats, current);
}

/**
 * Where ingest resumes for a symbol: after the watermark when it names exactly the stored partitions;
 * otherwise the watermark is rebuilt from them, and ingest resumes at the first candle of the
 * earliest partition it claimed but the store lacks (or after the rebuilt watermark). Undefined when
 * the lake holds nothing of the symbol and never did.
 */
export async function reconcileWatermark(store: ObjectStore, symbol: string): Promise<number | undefined> {
  const stored = await storedPartitions(store, symbol);
  const watermark = await readWatermarkIfReadable(store, symbol);
  const claimed = Object.keys(watermark?.partitions ?? {});
  const consistent = claimed.length === stored.size && claimed.every((id) => stored.has(id));
  if (watermark && consistent) return watermark.lastOpenTimeMs + MINUTE_MS;
  if (!watermark && stored.size === 0) return undefined;

  const lost = claimed
    .filter((id) => !stored.has(id))
    .map((id) => watermark!.partitions[id]!.firstOpenTimeMs);
  const rebuilt = await rebuildWatermark(store, symbol);
  if (lost.length > 0) return Math.min(...lost);
  return Object.keys(rebuilt.partitions).length > 0 ? rebuilt.lastOpenTimeMs + MINUTE_MS : undefined;
}

/** The watermark, or undefined when there is none or it cannot be read (it is about to be rebuilt). */
export function readWatermarkIfReadable(store: ObjectStore, symbol: string): Promise<Watermark | undefined> {
  return readWatermark(store, symbol).catch((error: unknown) => {
    if (error instanceof CorruptWatermarkError) return undefined;
    throw error;
  });
}
