/**
 * `data repair`: rebuilds what `data verify` finds broken. A damaged, missing or raw-contradicting
 * partition is rebuilt from the raw archives of its month (the lake's source of truth), or, when raw/
 * has none, re-fetched from a source if one is given; then every affected symbol's watermark is
 * rewritten from what is actually stored. Whatever cannot be rebuilt stays as it was and is reported.
 */
import { Alpha15Error } from '../errors.js';
import type { KlineColumns } from '../market/kline.js';
import { concatColumns, lowerBound, sliceColumns } from '../market/kline-columns.js';
import { ConflictingDuplicateKlineError } from '../market/errors.js';
import type { KlineSource } from '../market/source.js';
import type { ObjectStore } from '../store/object-store.js';
import { nextPartitionStartMs, partitionKey } from './layout.js';
import { mergeKlines } from './merge.js';
import { klinesToParquet, parquetToKlines } from './parquet.js';
import { rawArchiveKeysOf, rawKeysOverlapping, readRawArchive } from './raw.js';
import { verifyLake, type LakeProblem, type LakeProblemKind, type VerifyReport } from './verify.js';
import { rebuildWatermark } from './watermark-rebuild.js';

export interface RepairOptions {
  symbols?: readonly string[];
  /** Where to re-fetch a partition from when raw/ holds no archive of its month. */
  source?: KlineSource;
  onProgress?: (progress: {
    symbol: string;
    partition?: string;
    phase: 'verify' | 'rebuild' | 'watermark';
  }) => void;
}

export interface RebuiltPartition {
  symbol: string;
  partition: string;
  key: string;
  /** Where the rows came from. */
  from: 'raw' | 'source';
  rows: number;
}

export interface RepairReport {
  /** What verify found before the repair. */
  found: LakeProblem[];
  rebuilt: RebuiltPartition[];
  watermarksRewritten: string[];
  /** What verify still finds afterwards (empty when the lake is whole again). */
  remaining: LakeProblem[];
  after: VerifyReport;
}

/** Problems a partition rebuild fixes; watermark problems are fixed by rewriting the watermark. */
const PARTITION_PROBLEMS: ReadonlySet<LakeProblemKind> = new Set([
  'partition-unreadable',
  'partition-invalid',
  'partition-missing',
  'raw-mismatch',
]);

export async function repairLake(store: ObjectStore, options: RepairOptions = {}): Promise<RepairReport> {
  const before = await verifyLake(store, {
    symbols: options.symbols,
    onProgress: ({ symbol }) => options.onProgress?.({ symbol, phase: 'verify' }),
  });
  const rebuilt: RebuiltPartition[] = [];
  const damaged = new Map<string, { symbol: string; partition: string; kinds: Set<LakeProblemKind> }>();
  for (const problem of before.problems) {
    if (!PARTITION_PROBLEMS.has(problem.kind) || problem.partition === undefined) continue;
    const id = `${problem.symbol}/${problem.partition}`;
    const entry = damaged.get(id) ?? {
      symbol: problem.symbol,
      partition: problem.partition,
      kinds: new Set(),
    };
    entry.kinds.add(problem.kind);
    damaged.set(id, entry);
  }
  for (const { symbol, partition, kinds } of damaged.values()) {
    options.onProgress?.({ symbol, partition, phase: 'rebuild' });
    const result = await rebuildPartition(store, symbol, partition, kinds, options.source);
    if (result) rebuilt.push(result);
  }

  const affected = [...new Set(before.problems.map((problem) => problem.symbol))];
  for (const symbol of affected) {
    options.onProgress?.({ symbol, phase: 'watermark' });
    await rebuildWatermark(store, symbol);
  }
  const after = await verifyLake(store, { symbols: options.symbols });
  return { found: before.problems, rebuilt, watermarksRewritten: affected, remaining: after.problems, after };
}

async function rebuildPartition(
  store: ObjectStore,
  symbol: string,
  partition: string,
  kinds: ReadonlySet<LakeProblemKind>,
  source: KlineSource | undefined,
): Promise<RebuiltPartition | undefined> {
  const [year, month] = partition.split('-').map(Number) as [number, number];
  const startMs = Date.UTC(year, month - 1, 1);
  const endMs = nextPartitionStartMs(startMs);
  const key = partitionKey(symbol, startMs);

  let from: RebuiltPartition['from'] = 'raw';
  let rows = await rawRowsOfMonth(store, symbol, startMs, endMs);
  if (rows.openTimeMs.length === 0) {
    if (!source) return undefined;
    from = 'source';
    rows = (await source.fetch(symbol, startMs, endMs)).columns;
    if (rows.openTimeMs.length === 0) return undefined;
  }
  // only raw contradicted a readable partition: keep the partition's other candles (from REST, say),
  // and let raw decide the minutes it covers
  if (kinds.size === 1 && kinds.has('raw-mismatch')) {
    const bytes = await store.get(key);
    if (bytes)
      rows = mergeKlines(await parquetToKlines(symbol, bytes, key), rows, { overwrite: true }).merged;
  }
  await store.put(key, klinesToParquet(rows));
  return { symbol, partition, key, from, rows: rows.openTimeMs.length };
}

/** The candles of [startMs, endMs) in the symbol's raw archives (monthly and daily ones must agree). */
async function rawRowsOfMonth(
  store: ObjectStore,
  symbol: string,
  startMs: number,
  endMs: number,
): Promise<KlineColumns> {
  const keys = rawKeysOverlapping(await rawArchiveKeysOf(store, symbol), startMs, endMs);
  const parts: KlineColumns[] = [];
  for (const key of keys) {
    const columns = await readRawArchive(store, symbol, key).catch((error: unknown) => {
      if (error instanceof Alpha15Error) return undefined; // an unreadable archive: verify reports it
      throw error;
    });
    if (!columns) continue;
    const times = columns.openTimeMs;
    parts.push(sliceColumns(columns, lowerBound(times, startMs), lowerBound(times, endMs)));
  }
  return concatColumns(symbol, parts, (joined, earlier, later, field) => {
    throw new ConflictingDuplicateKlineError(
      keys.join(' + '),
      joined.openTimeMs[earlier]!,
      'overlapping raw archives',
      field,
      joined[field][earlier]!,
      joined[field][later]!,
    );
  });
}
