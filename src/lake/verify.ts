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
import { parquetToKlines } from './parquet.js';
import { rawArchiveKeysOf, readRawArchive } from './raw.js';
import { storedPartitions } from './watermark-rebuild.js';
import { CorruptWatermarkError, partitionStats, readWatermark, type Watermark } from './watermark.js';

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
  /** A raw archive's candles are not in the curated partitions with the same values. */
  | 'raw-mismatch';

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
  const stored = await storedPartitions(store, symbol);
  for (const [id, key] of stored) {
    report.partitionsChecked++;
    const bytes = await store.get(key);
    if (!bytes) continue; // deleted while we looked: the watermark check below reports it
    let columns: KlineColumns;
    try {
      columns = await parquetToKlines(symbol, bytes, key);
    } catch (error) {
      if (!(error instanceof Alpha15Error)) throw error;
      problem('partition-unreadable', key, error.message, id);
      continue;
    }
    report.rowsChecked += columns.openTimeMs.length;
    const invalid = partitionContentProblem(columns, id);
    if (invalid) problem('partition-invalid', key, invalid, id);
    else readable.set(id, columns);

    const claimed = watermark?.partitions[id];
    const actual = columns.openTimeMs.length > 0 ? partitionStats(columns) : undefined;
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
        `says partition ${id} holds ${claimed.rows} rows ${isoMinute(claimed.firstOpenTimeMs)} .. ${isoMinute(claimed.lastOpenTimeMs)}; it holds ${actual.rows} rows ${isoMinute(actual.firstOpenTimeMs)} .. ${isoMinute(actual.lastOpenTimeMs)}`,
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

  // raw archives against the curated partitions they fed
  for (const key of await rawArchiveKeysOf(store, symbol)) {
    report.rawArchivesChecked++;
    let raw: KlineColumns;
    try {
      raw = await readRawArchive(store, symbol, key);
    } catch (error) {
      if (!(error instanceof Alpha15Error)) throw error;
      problem('raw-unreadable', key, error.message);
      continue;
    }
    const mismatch = rawAgainstCurated(raw, readable, new Set(stored.keys()));
    if (mismatch) problem('raw-mismatch', key, mismatch.message, mismatch.partition);
  }
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
 * The first raw candle the curated partitions lack or hold with other values. Partitions already
 * reported unreadable or invalid are skipped (their problem is reported once, and repair rebuilds them
 * from this very archive).
 */
function rawAgainstCurated(
  raw: KlineColumns,
  readable: ReadonlyMap<string, KlineColumns>,
  stored: ReadonlySet<string>,
): { partition: string; message: string } | undefined {
  const times = raw.openTimeMs;
  let lacking = 0;
  let differing = 0;
  let first: { partition: string; message: string } | undefined;
  for (let row = 0; row < times.length; row++) {
    const id = partitionId(partitionStartMs(times[row]!));
    const curated = readable.get(id);
    if (!curated) {
      if (stored.has(id)) continue; // damaged, reported above
      lacking++;
      first ??= {
        partition: id,
        message: `${isoMinute(times[row]!)} is in the archive but partition ${id} is not stored`,
      };
      continue;
    }
    const at = lowerBound(curated.openTimeMs, times[row]!);
    if (curated.openTimeMs[at] !== times[row]) {
      lacking++;
      first ??= {
        partition: id,
        message: `${isoMinute(times[row]!)} is in the archive but not in partition ${id}`,
      };
      continue;
    }
    const field = differingField(raw, row, at, curated);
    if (field !== undefined) {
      differing++;
      first ??= {
        partition: id,
        message: `${isoMinute(times[row]!)}: the archive has ${field} ${raw[field][row]}, partition ${id} has ${curated[field][at]}`,
      };
    }
  }
  if (!first) return undefined;
  return {
    partition: first.partition,
    message: `${first.message} (${lacking} candles missing, ${differing} different in all)`,
  };
}
