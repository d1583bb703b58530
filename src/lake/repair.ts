/**
 * `data repair`: rebuilds what `data verify` finds broken. A damaged, missing or raw-contradicting
 * partition is rebuilt from what raw/ says its month holds (raw-expectation.ts: the same candles verify
 * checks against), or, when raw/ has nothing of the month, re-fetched from a source if one is given;
 * then every affected symbol's watermark is rewritten from what is actually stored.
 *
 * Repair never loses a candle silently: a rebuild with fewer candles than the lake held (by the
 * partition itself or by the watermark's word) is not written unless the operator named that partition
 * in `acceptLoss`. What cannot be rebuilt stays as it was, keeps its watermark claim (so verify keeps
 * reporting it) and is listed in `unrebuilt`.
 */
import type { KlineColumns } from '../market/kline.js';
import { unionOfKinds, type SourceKind } from '../market/source-kind.js';
import type { KlineSource } from '../market/source.js';
import type { ObjectStore } from '../store/object-store.js';
import { nextPartitionStartMs, partitionKey } from './layout.js';
import { mergeKlines } from './merge.js';
import { CorruptPartitionError, klinesToParquet, parquetToPartition } from './parquet.js';
import { rawObjectsOf } from './raw.js';
import { rawExpectation } from './raw-expectation.js';
import { ingestRecordsOf } from './raw-ingests.js';
import { verifyLake, type LakeProblem, type LakeProblemKind, type VerifyReport } from './verify.js';
import { CorruptWatermarkError, readWatermark } from './watermark.js';
import { rebuildWatermark } from './watermark-rebuild.js';

export interface RepairOptions {
  symbols?: readonly string[];
  /** Where to re-fetch a partition from when raw/ holds no archive of its month. */
  source?: KlineSource;
  /**
   * Partitions (`<SYM>/<YYYY-MM>`) the operator accepts to rebuild with fewer candles than the lake
   * held: the candles raw/ (and the source) cannot give back are dropped from these only.
   */
  acceptLoss?: readonly string[];
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

/** A damaged partition repair left as it was. */
export interface UnrebuiltPartition {
  symbol: string;
  partition: string;
  /** Candles the lake held (the partition's, or the watermark's claim when it is unreadable or gone). */
  heldRows: number;
  /** Candles raw/ (or the source) can give back. */
  recoverableRows: number;
  reason: string;
}

export interface RepairReport {
  /** What verify found before the repair. */
  found: LakeProblem[];
  rebuilt: RebuiltPartition[];
  /** Partitions that could not be rebuilt without losing candles (the repair failed for these). */
  unrebuilt: UnrebuiltPartition[];
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
  'raw-conflict',
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
  const unrebuilt: UnrebuiltPartition[] = [];
  const acceptLoss = new Set(options.acceptLoss ?? []);
  for (const { symbol, partition, kinds } of damaged.values()) {
    options.onProgress?.({ symbol, partition, phase: 'rebuild' });
    const result = await rebuildPartition(store, symbol, partition, kinds, {
      source: options.source,
      acceptLoss: acceptLoss.has(`${symbol}/${partition}`),
    });
    if ('reason' in result) unrebuilt.push(result);
    else rebuilt.push(result);
  }

  const affected = [...new Set(before.problems.map((problem) => problem.symbol))];
  for (const symbol of affected) {
    options.onProgress?.({ symbol, phase: 'watermark' });
    const kept = unrebuilt.filter((entry) => entry.symbol === symbol).map((entry) => entry.partition);
    await rebuildWatermark(store, symbol, { keepClaims: new Set(kept) });
  }
  const after = await verifyLake(store, { symbols: options.symbols });
  return {
    found: before.problems,
    rebuilt,
    unrebuilt,
    watermarksRewritten: affected,
    remaining: after.problems,
    after,
  };
}

async function rebuildPartition(
  store: ObjectStore,
  symbol: string,
  partition: string,
  kinds: ReadonlySet<LakeProblemKind>,
  options: { source: KlineSource | undefined; acceptLoss: boolean },
): Promise<RebuiltPartition | UnrebuiltPartition> {
  const [year, month] = partition.split('-').map(Number) as [number, number];
  const startMs = Date.UTC(year, month - 1, 1);
  const endMs = nextPartitionStartMs(startMs);
  const key = partitionKey(symbol, startMs);
  const readable = await readablePartition(store, symbol, key);
  const stored = readable?.columns;
  const watermark = await readWatermark(store, symbol).catch((error: unknown) => {
    if (error instanceof CorruptWatermarkError) return undefined;
    throw error;
  });
  const claimedRows = watermark?.partitions[partition]?.rows ?? 0;
  const heldRows = Math.max(stored?.openTimeMs.length ?? 0, claimedRows);
  const refuse = (recoverableRows: number, reason: string): UnrebuiltPartition => ({
    symbol,
    partition,
    heldRows,
    recoverableRows,
    reason,
  });

  const objects = (await rawObjectsOf(store, symbol)).filter(
    (object) => object.startMs < endMs && object.endMs > startMs,
  );
  const expected = await rawExpectation(
    store,
    symbol,
    { startMs, endMs },
    objects,
    await ingestRecordsOf(store, symbol),
  );
  if (expected.conflict) return refuse(0, `raw/ disagrees with itself: ${expected.conflict.message}`);
  let from: RebuiltPartition['from'] = 'raw';
  let rows = expected.columns;
  if (rows.openTimeMs.length === 0 && options.source) {
    from = 'source';
    rows = (await options.source.fetch(symbol, startMs, endMs)).columns;
  }
  // only raw contradicted a readable partition: keep the partition's other candles, and let raw decide
  // the minutes it covers
  if (stored && kinds.size === 1 && kinds.has('raw-mismatch'))
    rows = mergeKlines(stored, rows, { overwrite: true }).merged;
  const recoverable = rows.openTimeMs.length;
  if (recoverable === 0) return refuse(0, 'neither raw/ nor a source holds any candle of this month');
  if (recoverable < heldRows && !options.acceptLoss)
    return refuse(
      recoverable,
      `only ${recoverable} of the ${heldRows} candles the lake held can be rebuilt; nothing was written`,
    );
  // the sources the partition recorded (its footer, else the watermark's copy) survive the rebuild
  const recorded: SourceKind[] | undefined = readable?.sources ?? watermark?.partitions[partition]?.sources;
  const sources = from === 'source' ? unionOfKinds(recorded ?? [], [options.source!.kind]) : recorded;
  await store.put(key, klinesToParquet(rows, sources));
  return { symbol, partition, key, from, rows: recoverable };
}

/** The partition's rows and recorded sources when it is stored and readable. */
async function readablePartition(
  store: ObjectStore,
  symbol: string,
  key: string,
): Promise<{ columns: KlineColumns; sources: SourceKind[] | undefined } | undefined> {
  const bytes = await store.get(key);
  if (!bytes) return undefined;
  return parquetToPartition(symbol, bytes, key).catch((error: unknown) => {
    if (error instanceof CorruptPartitionError) return undefined;
    throw error;
  });
}
