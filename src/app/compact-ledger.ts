/**
 * Ledger compaction: each finished UTC day of the paper ledger's trades and decisions rolled into one
 * Parquet file per kind (`paper/curated/<kind>/day=<YYYY-MM-DD>/part.parquet`), the partitions of the
 * Athena tables. One JSON object per minute does not scale to a year of queries; the JSON stays the
 * source of truth, and the dashboards keep reading it.
 *
 * Idempotent: every file carries the digest of the ledger keys it was built from. Ledger records are
 * created once and never change, so an equal digest means an equal file, and the day is skipped with
 * one LIST and one GET; a changed day is rebuilt, and bytes equal to the stored file are not written.
 */
import { parquetMetadata } from 'hyparquet';
import { sha256Hex } from '../checksum.js';
import {
  compactedDayFromKey,
  compactedDayKey,
  compactedTablePrefix,
  dayId,
  Ledger,
  type CompactedKind,
} from '../paper/ledger.js';
import {
  DECISION_COLUMNS,
  decisionRows,
  ledgerRowsToParquet,
  TRADE_COLUMNS,
} from '../paper/ledger-parquet.js';
import type { ObjectStore } from '../store/object-store.js';
import { DAY_MS, MINUTE_MS } from '../time.js';

/** Key-value metadata entry of a compacted file: the digest of its source keys. */
export const SOURCE_DIGEST_KEY = 'alpha15.source_digest';
/**
 * After a day ends, its last trades close a horizon later (trades are keyed by entry minute) and a
 * crashed tick is repaired by the next minutes' ticks; this much more and the day is settled.
 */
export const SETTLE_MINUTES = 15;

export interface CompactLedgerOptions {
  store: ObjectStore;
  /** First UTC day to (re)check; default: the day after the newest compacted day, else the ledger's first. */
  fromDayMs?: number;
  /** Last UTC day to check, inclusive; default and upper bound: the newest finished day. */
  toDayMs?: number;
  /** Trades close this long after their entry minute (config horizonMinutes). */
  horizonMinutes: number;
  nowMs?: () => number;
  onProgress?: (progress: { day: string; done: number; total: number }) => void;
}

export interface DayCompaction {
  day: string;
  kind: CompactedKind;
  /** `written`: the file was created or changed; `unchanged`: it already held these records; `empty`: no records. */
  status: 'written' | 'unchanged' | 'empty';
  sourceObjects: number;
  rows: number;
}

export interface CompactLedgerResult {
  /** The days checked, inclusive; null when no day was finished and uncompacted. */
  fromDay: string | null;
  toDay: string | null;
  /** The newest day that may be compacted now: its end + horizon + settling time has passed and no position opened on it is open. */
  lastFinishedDay: string | null;
  written: number;
  unchanged: number;
  days: DayCompaction[];
}

export async function compactLedger(options: CompactLedgerOptions): Promise<CompactLedgerResult> {
  const { store } = options;
  const ledger = new Ledger(store);
  const lastFinishedMs = await lastFinishedDayMs(ledger, options);
  const fromMs = options.fromDayMs ?? (await defaultFromDayMs(store, ledger));
  const toMs = Math.min(options.toDayMs ?? (await lastTickedDayMs(ledger)), lastFinishedMs);
  const result: CompactLedgerResult = {
    fromDay: null,
    toDay: null,
    lastFinishedDay: lastFinishedMs >= 0 ? dayId(lastFinishedMs) : null,
    written: 0,
    unchanged: 0,
    days: [],
  };
  if (fromMs === undefined || fromMs > toMs) return result;
  result.fromDay = dayId(fromMs);
  result.toDay = dayId(toMs);
  const total = (toMs - fromMs) / DAY_MS + 1;
  for (let dayMs = fromMs, done = 0; dayMs <= toMs; dayMs += DAY_MS) {
    // trades first: a decisions file marks its day done for the default range of the next run
    for (const kind of ['trades', 'decisions'] as const) {
      const compaction = await compactDay(ledger, kind, dayMs);
      result.days.push(compaction);
      if (compaction.status === 'written') result.written++;
      if (compaction.status === 'unchanged') result.unchanged++;
    }
    options.onProgress?.({ day: dayId(dayMs), done: ++done, total });
  }
  return result;
}

async function compactDay(ledger: Ledger, kind: CompactedKind, dayMs: number): Promise<DayCompaction> {
  const keys = await ledger.keysInRange(kind, dayMs, dayMs + DAY_MS);
  const compaction: DayCompaction = {
    day: dayId(dayMs),
    kind,
    status: 'empty',
    sourceObjects: keys.length,
    rows: 0,
  };
  const key = compactedDayKey(kind, dayMs);
  const stored = await ledger.store.get(key);
  const storedMetadata = stored && metadataOf(stored);
  const digest = sha256Hex(new TextEncoder().encode(keys.join('\n')));
  // no records but a file: the JSON of an old day may have been expired on purpose after compaction,
  // and the file is then the only copy, so it is kept
  if (storedMetadata && (keys.length === 0 || sourceDigestOf(storedMetadata) === digest)) {
    return { ...compaction, status: 'unchanged', rows: Number(storedMetadata.num_rows) };
  }
  if (keys.length === 0) return compaction;
  const { bytes, rows } = await buildDay(ledger, kind, dayMs, digest);
  if (stored && Buffer.from(stored).equals(bytes)) return { ...compaction, status: 'unchanged', rows };
  await ledger.store.put(key, bytes);
  return { ...compaction, status: 'written', rows };
}

async function buildDay(
  ledger: Ledger,
  kind: CompactedKind,
  dayMs: number,
  digest: string,
): Promise<{ bytes: Uint8Array; rows: number }> {
  const metadata = [{ key: SOURCE_DIGEST_KEY, value: digest }];
  if (kind === 'trades') {
    const trades = await ledger.listTrades(dayMs, dayMs + DAY_MS);
    trades.sort((a, b) => a.entryTimeMs - b.entryTimeMs || a.symbol.localeCompare(b.symbol));
    return { bytes: ledgerRowsToParquet(TRADE_COLUMNS, trades, metadata), rows: trades.length };
  }
  const decisions = await ledger.listDecisions(dayMs, dayMs + DAY_MS);
  decisions.sort((a, b) => a.minuteMs - b.minuteMs);
  const rows = decisionRows(decisions);
  return { bytes: ledgerRowsToParquet(DECISION_COLUMNS, rows, metadata), rows: rows.length };
}

function metadataOf(bytes: Uint8Array): ReturnType<typeof parquetMetadata> | undefined {
  try {
    return parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  } catch {
    return undefined; // unreadable: rebuilt from the ledger
  }
}

function sourceDigestOf(metadata: ReturnType<typeof parquetMetadata>): string | undefined {
  return metadata.key_value_metadata?.find((entry) => entry.key === SOURCE_DIGEST_KEY)?.value;
}

/** Start of the newest UTC day that is settled, or -1 when none is. */
async function lastFinishedDayMs(ledger: Ledger, options: CompactLedgerOptions): Promise<number> {
  const nowMs = (options.nowMs ?? Date.now)();
  const settledBeforeMs = nowMs - (options.horizonMinutes + SETTLE_MINUTES) * MINUTE_MS;
  let lastMs = Math.floor(settledBeforeMs / DAY_MS) * DAY_MS - DAY_MS;
  // a position still open (its exit candle missing) would add a trade to the day it entered
  for (const position of await ledger.openPositions()) {
    const entryDayMs = Math.floor(position.entryTimeMs / DAY_MS) * DAY_MS;
    lastMs = Math.min(lastMs, entryDayMs - DAY_MS);
  }
  return lastMs;
}

async function defaultFromDayMs(store: ObjectStore, ledger: Ledger): Promise<number | undefined> {
  const compacted = (await store.list(compactedTablePrefix('decisions')))
    .map(compactedDayFromKey)
    .filter((dayMs) => dayMs !== undefined);
  if (compacted.length > 0) return Math.max(...compacted) + DAY_MS;
  const span = await ledger.tickSpan();
  return span && Math.floor(span.fromMs / DAY_MS) * DAY_MS;
}

/**
 * Start of the newest UTC day any tick ran on, or -1 for an empty ledger: past it no tick can have
 * written a record, so a replayed month compacted months later lists no empty days after it.
 */
async function lastTickedDayMs(ledger: Ledger): Promise<number> {
  const span = await ledger.tickSpan();
  return span === undefined ? -1 : Math.floor((span.toMs - 1) / DAY_MS) * DAY_MS;
}
