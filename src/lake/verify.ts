/**
 * `data verify`: reads every partition of the lake back and checks it against what it must be: a
 * readable Parquet file whose rows are sorted, unique, on the minute grid, inside the partition's
 * month and within the kline content rules; a watermark that names exactly the stored partitions with
 * their true row counts and spans; and, where raw/ keeps the archive a partition came from, the same
 * candles as that archive. Each finding is one `LakeProblem`; `repair.ts` acts on them.
 */
import { Alpha15Error } from '../errors.js';
import type { KlineColumns } from '../market/kline.js';
import { differingField, lowerBound } from '../market/kline-columns.js';
import { columnsRowViolation } from '../market/kline-rules.js';
import { mixesOrigins, unionOfKinds, type SourceKind } from '../market/source-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import { isoMinute } from '../time.js';
import { CURATED_KLINES_PREFIX, RAW_KLINES_PREFIX, WATERMARKS_PREFIX } from '../contracts/keys.js';
import {
  nextPartitionStartMs,
  partitionId,
  partitionKey,
  partitionStartMs,
  symbolOfWatermarkKey,
  watermarkKey,
} from './layout.js';
import { parquetToPartition } from './parquet.js';
import { rawObjectsOf, type RawObject } from './raw.js';
import { rawExpectation } from './raw-expectation.js';
import { ingestRecordsOf } from './raw-ingests.js';
import { storedPartitions } from './watermark-rebuild.js';
import {
  CorruptWatermarkError,
  partitionStats,
  readWatermark,
  type PartitionStats,
  type Watermark,
} from './watermark.js';

export type LakeProblemKind =
  /** The partition's bytes are not a readable kline Parquet file (truncated, overwritten). */
  | 'partition-unreadable'
  /** Rows out of order, repeated, off the minute grid, outside the month, or breaking a content rule. */
  | 'partition-invalid'
  /** The watermark names a partition the store does not hold. */
  | 'partition-missing'
  /** The watermark is unreadable, lacks a stored partition, or has a partition's stats wrong. */
  | 'watermark-mismatch'
  /** A raw archive cannot be read back. */
  | 'raw-unreadable'
  /** Candles raw/ holds (over what was ingested from it) are not in the partition with the same values. */
  | 'raw-mismatch'
  /** Two raw objects disagree on a minute and no `--overwrite` ingest decided between them. */
  | 'raw-conflict';

export interface LakeProblem {
  symbol: string;
  kind: LakeProblemKind;
  /** The object at fault (partition, watermark or raw archive key). */
  key: string;
  /** The partition (YYYY-MM) the problem concerns, when it concerns one. */
  partition?: string;
  message: string;
}

export interface VerifyReport {
  symbols: string[];
  partitionsChecked: number;
  rawArchivesChecked: number;
  rowsChecked: number;
  problems: LakeProblem[];
  /**
   * Per symbol, stored candles raw/ holds no source for (ingested before raw/ kept REST bodies, or from
   * the synthetic market, which re-ingesting regenerates): repair cannot rebuild them from raw/.
   */
  unsourced: Record<string, number>;
  /**
   * Symbols holding both synthetic and real candles (ingested with mixed sources allowed), with their
   * kinds. A warning, not a problem: every candle is intact, but a model trained on the symbol learns
   * from two markets. Absent when there are none.
   */
  mixedSources?: Record<string, SourceKind[]>;
}

export interface VerifyProgress {
  symbol: string;
  symbolIndex: number;
  symbolCount: number;
}

export interface VerifyOptions {
  /** Only these symbols (default: every symbol with a partition, watermark or raw archive). */
  symbols?: readonly string[];
  onProgress?: (progress: VerifyProgress) => void;
}

export async function verifyLake(store: ObjectStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const symbols = options.symbols ? [...options.symbols] : await symbolsInLake(store);
  const report: VerifyReport = {
    symbols,
    partitionsChecked: 0,
    rawArchivesChecked: 0,
    rowsChecked: 0,
    problems: [],
    unsourced: {},
  };
  for (const [symbolIndex, symbol] of symbols.entries()) {
    options.onProgress?.({ symbol, symbolIndex, symbolCount: symbols.length });
    await verifySymbol(store, symbol, report);
  }
  return report;
}

/** Every symbol the lake holds anything of: a watermark, a curated partition or a raw archive. */
export async function symbolsInLake(store: ObjectStore): Promise<string[]> {
  const symbols = new Set<string>();
  for (const key of await store.list(WATERMARKS_PREFIX)) {
    const symbol = symbolOfWatermarkKey(key);
    if (symbol) symbols.add(symbol);
  }
  for (const key of await store.list(CURATED_KLINES_PREFIX)) {
    const symbol = /^curated\/klines\/symbol=([^/]+)\//.exec(key)?.[1];
    if (symbol) symbols.add(symbol);
  }
  for (const key of await store.list(RAW_KLINES_PREFIX)) {
    const symbol = /^raw\/klines\/([^/]+)\//.exec(key)?.[1];
    if (symbol) symbols.add(symbol);
  }
  return [...symbols].sort();
}

async function verifySymbol(store: ObjectStore, symbol: string, report: VerifyReport): Promise<void> {
  const problem = (kind: LakeProblemKind, key: string, message: string, partition?: string) =>
    report.problems.push({ symbol, kind, key, message, ...(partition && { partition }) });

  let watermark: Watermark | undefined;
  const watermarkKeyOfSymbol = watermarkKey(symbol);
  try {
    watermark = await readWatermark(store, symbol);
  } catch (error) {
    if (!(error instanceof CorruptWatermarkError)) throw error;
    problem('watermark-mismatch', watermarkKeyOfSymbol, error.message);
  }

  // every stored partition, read back whole
  const readable = new Map<string, KlineColumns>();
  // from the footers rather than the watermark, which may be the thing that is broken
  const recordedSources: SourceKind[][] = [];
  const stored = await storedPartitions(store, symbol);
  for (const [id, key] of stored) {
    report.partitionsChecked++;
    const bytes = await store.get(key);
    if (!bytes) continue; // deleted while we looked: the watermark check below reports it
    let columns: KlineColumns;
    let sources: SourceKind[] | undefined;
    try {
      ({ columns, sources } = await parquetToPartition(symbol, bytes, key));
    } catch (error) {
      if (!(error instanceof Alpha15Error)) throw error;
      problem('partition-unreadable', key, error.message, id);
      continue;
    }
    report.rowsChecked += columns.openTimeMs.length;
    if (sources) recordedSources.push(sources);
    const invalid = partitionContentProblem(columns, id);
    if (invalid) problem('partition-invalid', key, invalid, id);
    else readable.set(id, columns);

    const claimed = watermark?.partitions[id];
    const actual = columns.openTimeMs.length > 0 ? partitionStats(columns, sources) : undefined;
    if (watermark && !claimed)
      problem(
        'watermark-mismatch',
        watermarkKeyOfSymbol,
        `does not list partition ${id}, which is stored`,
        id,
      );
    else if (claimed && actual && JSON.stringify(claimed) !== JSON.stringify(actual)) {
      problem(
        'watermark-mismatch',
        watermarkKeyOfSymbol,
        `says partition ${id} holds ${statsText(claimed)}; it holds ${statsText(actual)}`,
        id,
      );
    }
  }
  if (
    !watermark &&
    stored.size > 0 &&
    !report.problems.some((p) => p.symbol === symbol && p.key === watermarkKeyOfSymbol)
  )
    problem(
      'watermark-mismatch',
      watermarkKeyOfSymbol,
      `is missing, but ${stored.size} partitions are stored`,
    );
  for (const [id, claimed] of Object.entries(watermark?.partitions ?? {})) {
    if (!stored.has(id)) {
      const key = partitionKey(symbol, partitionStartMs(claimed.firstOpenTimeMs));
      problem(
        'partition-missing',
        key,
        `the watermark claims ${claimed.rows} rows in ${id}, but the partition is not stored`,
        id,
      );
    }
  }

  // raw/ against the curated partitions, month by month, over what the ingests took from it
  const objects = await rawObjectsOf(store, symbol);
  report.rawArchivesChecked += objects.length;
  const records = await ingestRecordsOf(store, symbol);
  const months = new Set<number>([...readable.keys()].map(partitionStartOfId));
  for (const object of objects)
    for (
      let startMs = partitionStartMs(object.startMs);
      startMs < object.endMs;
      startMs = nextPartitionStartMs(startMs)
    )
      months.add(startMs);
  const unreadableReported = new Set<string>();
  let unsourced = 0;
  for (const startMs of [...months].sort((a, b) => a - b)) {
    const id = partitionId(startMs);
    const month = { startMs, endMs: nextPartitionStartMs(startMs) };
    const expected = await rawExpectation(store, symbol, month, objectsOverlapping(objects, month), records);
    for (const { key, message } of expected.unreadable) {
      if (!unreadableReported.has(key)) problem('raw-unreadable', key, message);
      unreadableReported.add(key);
    }
    if (expected.conflict) {
      problem(
        'raw-conflict',
        partitionKey(symbol, startMs),
        `raw/ disagrees with itself: ${expected.conflict.message}`,
        id,
      );
      continue;
    }
    if (stored.has(id) && !readable.has(id)) continue; // damaged, reported above
    const comparison = rawAgainstCurated(expected.columns, readable.get(id), id);
    unsourced += comparison.unsourced;
    if (comparison.problem) problem('raw-mismatch', expected.keys.join(', '), comparison.problem, id);
  }
  if (unsourced > 0) report.unsourced[symbol] = unsourced;
  const kinds = unionOfKinds(...recordedSources);
  if (mixesOrigins(kinds)) report.mixedSources = { ...report.mixedSources, [symbol]: kinds };
}

function statsText(stats: PartitionStats): string {
  const sources = stats.sources ? stats.sources.join('+') : 'unknown';
  return `${stats.rows} rows ${isoMinute(stats.firstOpenTimeMs)} .. ${isoMinute(stats.lastOpenTimeMs)} from ${sources}`;
}

/** The month start of a partition id (YYYY-MM). */
function partitionStartOfId(id: string): number {
  const [year, month] = id.split('-').map(Number) as [number, number];
  return Date.UTC(year, month - 1, 1);
}

/** What is wrong with a readable partition's rows, or undefined. */
function partitionContentProblem(columns: KlineColumns, id: string): string | undefined {
  const times = columns.openTimeMs;
  if (times.length === 0) return 'holds no rows';
  const startMs = partitionStartMs(times[0]!);
  if (partitionId(startMs) !== id) return `its first candle ${isoMinute(times[0]!)} is not in month ${id}`;
  const endMs = nextPartitionStartMs(startMs);
  for (let row = 0; row < times.length; row++) {
    if (row > 0 && !(times[row]! > times[row - 1]!))
      return `row ${row} (${isoMinute(times[row]!)}) is not after the row before it (out of order or repeated)`;
    if (times[row]! >= endMs) return `row ${row} (${isoMinute(times[row]!)}) is outside month ${id}`;
    const violation = columnsRowViolation(columns, row);
    if (violation)
      return `row ${row} (${isoMinute(times[row]!)}), field ${violation.field}: ${violation.problem}`;
  }
  return undefined;
}

/**
 * The first candle raw/ expects that the partition lacks or holds with other values, and how many of
 * the partition's candles raw/ has no source for.
 */
function rawAgainstCurated(
  expected: KlineColumns,
  curated: KlineColumns | undefined,
  id: string,
): { problem?: string; unsourced: number } {
  const times = expected.openTimeMs;
  if (!curated) {
    if (times.length === 0) return { unsourced: 0 };
    return {
      problem: `${isoMinute(times[0]!)} is in raw/ but partition ${id} is not stored (${times.length} candles missing in all)`,
      unsourced: 0,
    };
  }
  let lacking = 0;
  let differing = 0;
  let first: string | undefined;
  for (let row = 0; row < times.length; row++) {
    const at = lowerBound(curated.openTimeMs, times[row]!);
    if (curated.openTimeMs[at] !== times[row]) {
      lacking++;
      first ??= `${isoMinute(times[row]!)} is in raw/ but not in partition ${id}`;
      continue;
    }
    const field = differingField(expected, row, at, curated);
    if (field !== undefined) {
      differing++;
      first ??= `${isoMinute(times[row]!)}: raw/ has ${field} ${expected[field][row]}, partition ${id} has ${curated[field][at]}`;
    }
  }
  const unsourced = curated.openTimeMs.length - (times.length - lacking);
  if (!first) return { unsourced };
  return { problem: `${first} (${lacking} candles missing, ${differing} different in all)`, unsourced };
}

function objectsOverlapping(objects: readonly RawObject[], month: { startMs: number; endMs: number }) {
  return objects.filter((object) => object.startMs < month.endMs && object.endMs > month.startMs);
}
