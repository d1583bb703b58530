/**
 * The per-symbol watermark: the open-time range the lake holds for a symbol and, per partition, its
 * row count and first/last open time. Written only after the partitions it describes, so it never
 * claims data a reader cannot find. Ingest resumes after `lastOpenTimeMs`; `data summary` reads only
 * these small objects instead of every partition (on S3, one GET per symbol rather than per month).
 * Each partition's entry also repeats the sources its Parquet footer records, so ingest can refuse to
 * mix synthetic and real candles (source-kind.ts) by reading the watermark alone.
 */
import { z } from 'zod';
import type { KlineColumns } from '../market/kline.js';
import { SOURCE_KINDS, type SourceKind } from '../market/source-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import { watermarkKey } from './layout.js';
import { Alpha15Error } from '../errors.js';

const partitionStatsSchema = z.object({
  rows: z.number().int().nonnegative(),
  firstOpenTimeMs: z.number().int(),
  lastOpenTimeMs: z.number().int(),
  /** The partition footer's sources; absent for partitions written before sources were recorded. */
  sources: z.array(z.enum(SOURCE_KINDS)).optional(),
});
export type PartitionStats = z.infer<typeof partitionStatsSchema>;

const watermarkSchema = z.object({
  symbol: z.string(),
  firstOpenTimeMs: z.number().int(),
  lastOpenTimeMs: z.number().int(),
  /** Keyed by partition id (YYYY-MM). */
  partitions: z.record(z.string(), partitionStatsSchema).default({}),
});
export type Watermark = z.infer<typeof watermarkSchema>;

export class CorruptWatermarkError extends Alpha15Error {
  readonly code = 'CORRUPT_WATERMARK';
}

/** The watermark's record of one partition's rows (sorted columns, at least one row) and sources. */
export function partitionStats(columns: KlineColumns, sources?: readonly SourceKind[]): PartitionStats {
  const times = columns.openTimeMs;
  return {
    rows: times.length,
    firstOpenTimeMs: times[0]!,
    lastOpenTimeMs: times[times.length - 1]!,
    ...(sources && { sources: [...sources] }),
  };
}

/**
 * The kinds a symbol's partitions record, and whether any partition records none (written before
 * sources were recorded, or rebuilt from a source that was not named).
 */
export function watermarkSources(watermark: Watermark | undefined): {
  kinds: SourceKind[];
  unknownPartitions: number;
} {
  const partitions = Object.values(watermark?.partitions ?? {});
  return {
    kinds: SOURCE_KINDS.filter((kind) => partitions.some((stats) => stats.sources?.includes(kind))),
    unknownPartitions: partitions.filter((stats) => !stats.sources).length,
  };
}

export async function readWatermark(store: ObjectStore, symbol: string): Promise<Watermark | undefined> {
  const key = watermarkKey(symbol);
  const bytes = await store.get(key);
  if (!bytes) return undefined;
  const hint = `repairing ${symbol} rebuilds the watermark from the stored partitions`;
  const data = { symbol, key };
  let parsed;
  try {
    parsed = watermarkSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw new CorruptWatermarkError(`watermark ${key} is not JSON`, hint, { cause: error, data });
  }
  if (!parsed.success) {
    throw new CorruptWatermarkError(
      `watermark ${key} is malformed: ${parsed.error.issues[0]?.message}`,
      hint,
      { data },
    );
  }
  return parsed.data;
}

/**
 * Records the stats of partitions that were just written (or found complete) and moves the range
 * over all partitions; writes nothing when the watermark would not change.
 */
export async function commitWatermark(
  store: ObjectStore,
  symbol: string,
  updates: Readonly<Record<string, PartitionStats>>,
): Promise<Watermark> {
  const current = await readWatermark(store, symbol);
  return replaceWatermark(store, symbol, { ...current?.partitions, ...updates }, current);
}

/**
 * Makes the watermark say exactly `partitions` (those with rows); deletes it when none has any. Used
 * directly when the watermark is rebuilt from what is stored; `current` saves re-reading it.
 */
export async function replaceWatermark(
  store: ObjectStore,
  symbol: string,
  partitionStats: Readonly<Record<string, PartitionStats>>,
  current?: Watermark,
): Promise<Watermark> {
  const partitions = Object.fromEntries(
    Object.entries(partitionStats)
      .filter(([, stats]) => stats.rows > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const all = Object.values(partitions);
  if (all.length === 0) {
    if (current) await store.delete(watermarkKey(symbol));
    return { symbol, firstOpenTimeMs: 0, lastOpenTimeMs: 0, partitions };
  }
  const next: Watermark = {
    symbol,
    firstOpenTimeMs: Math.min(...all.map((stats) => stats.firstOpenTimeMs)),
    lastOpenTimeMs: Math.max(...all.map((stats) => stats.lastOpenTimeMs)),
    partitions,
  };
  if (JSON.stringify(next) !== JSON.stringify(current))
    await store.put(watermarkKey(symbol), `${JSON.stringify(next)}\n`);
  return next;
}
