/**
 * Ledger compaction: each finished UTC day of the paper ledger's trades and decisions rolled into one
 * Parquet file per kind (`paper/curated/<kind>/day=<YYYY-MM-DD>/part.parquet`), the partitions of the
 * Athena tables. One JSON object per minute does not scale to a year of queries; the JSON stays the
 * source of truth, and the dashboards keep reading it.
 *
 * Idempotent: every file carries the digest of the ledger objects it was built from (their keys and
 * contents), so an equal digest means an equal file and the day is not rewritten; a changed day is
 * rebuilt, and bytes equal to the stored file are not written.
 *
 * Checked both ways: every source object is read and parsed, the stored file is decoded whole, and a
 * written file is read back. What is damaged is reported, never papered over: a corrupt source leaves
 * the day's file as it was (it may be the only good copy), and a damaged file whose sources have
 * expired stays in place for a person to look at, since nothing can rebuild it.
 *
 * Beside each trades day file goes the dashboard's summary of it (src/paper/dashboard/day-summary.ts),
 * built from the file's own rows and keyed by its bytes' digest: written when missing or out of date, so
 * a restarted dashboard counts the day without decoding it.
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { sha256Hex } from '../checksum.js';
import {
  compactedDayFromKey,
  compactedDayKey,
  compactedTablePrefix,
  dayId,
  Ledger,
  parseLedgerObject,
  type CompactedKind,
} from '../paper/ledger.js';
import { decisionSchema, tradeSchema } from '../paper/records.js';
import {
  DECISION_COLUMNS,
  decisionRows,
  ledgerRowsToParquet,
  TRADE_COLUMNS,
} from '../paper/ledger-parquet.js';
import {
  daySummaryBytes,
  daySummaryKey,
  decodeDayTrades,
  readDaySummary,
} from '../paper/dashboard/day-summary.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Decision, Trade } from '../paper/records.js';
import { DAY_MS, MINUTE_MS } from '../time.js';

/** Key-value metadata entry of a compacted file: the digest of its source keys. */
export const SOURCE_DIGEST_KEY = 'alpha15.source_digest';
/**
 * After a day ends, its last trades close a horizon later (trades are keyed by entry minute) and a
 * crashed tick is repaired by the next minutes' ticks; this much more and the day is settled.
 */
export const SETTLE_MINUTES = 15;
/** Ledger objects read at once while a day is checked. */
const READS_IN_FLIGHT = 64;

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
  /**
   * `written`: the file was created or changed; `unchanged`: it already held these records; `empty`: no
   * records; `damaged`: a source object or the file is damaged (see `damage`), and nothing was written.
   */
  status: 'written' | 'unchanged' | 'empty' | 'damaged';
  sourceObjects: number;
  rows: number;
  /** What is damaged, by key, and why; present when the status is `damaged`. */
  damage?: { key: string; problem: string }[];
}

export interface CompactLedgerResult {
  /** The days checked, inclusive; null when no day was finished and uncompacted. */
  fromDay: string | null;
  toDay: string | null;
  /** The newest day that may be compacted now: its end + horizon + settling time has passed and no position opened on it is open. */
  lastFinishedDay: string | null;
  written: number;
  unchanged: number;
  /** Day files left as they were because a source or the file itself is damaged. */
  damaged: number;
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
    damaged: 0,
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
      if (compaction.status === 'damaged') result.damaged++;
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
  const sources = await readSources(ledger.store, kind, keys);
  const stored = await ledger.store.get(key);
  const storedFile = stored && (await decodeFile(stored));
  const damage = sources.damage;
  if (storedFile && 'problem' in storedFile && keys.length === 0) {
    damage.push({
      key,
      problem: `${storedFile.problem}; its ledger objects have expired, so it cannot be rebuilt`,
    });
  }
  if (damage.length > 0) return { ...compaction, status: 'damaged', damage };
  // no records but a file: the JSON of an old day may have been expired on purpose after compaction,
  // and the file is then the only copy, so it is kept
  if (storedFile && 'rows' in storedFile && (keys.length === 0 || storedFile.digest === sources.digest)) {
    const unchanged: DayCompaction = { ...compaction, status: 'unchanged', rows: storedFile.rows };
    return kind === 'trades' ? withDaySummary(ledger.store, dayMs, stored, unchanged) : unchanged;
  }
  if (keys.length === 0) return compaction;
  const { bytes, rows } = buildDay(kind, sources.records, sources.digest);
  if (stored && Buffer.from(stored).equals(bytes)) return { ...compaction, status: 'unchanged', rows };
  await ledger.store.put(key, bytes);
  const written = await ledger.store.get(key);
  if (written === undefined || !Buffer.from(written).equals(bytes)) {
    const problem = `reads back ${written === undefined ? 'as missing' : `as ${written.byteLength} other bytes`} after the write`;
    return { ...compaction, status: 'damaged', rows, damage: [{ key, problem }] };
  }
  const done: DayCompaction = { ...compaction, status: 'written', rows };
  return kind === 'trades' ? withDaySummary(ledger.store, dayMs, bytes, done) : done;
}

/**
 * Writes the dashboard's summary of a trades day file unless an up-to-date one is stored. A file whose
 * rows are not all trades has no summary: the day is reported damaged (the dashboard reads its JSON).
 */
async function withDaySummary(
  store: ObjectStore,
  dayMs: number,
  dayFile: Uint8Array,
  compaction: DayCompaction,
): Promise<DayCompaction> {
  const key = daySummaryKey(dayMs);
  if ('summary' in readDaySummary(await store.get(key), dayFile, dayMs)) return compaction;
  const decoded = await decodeDayTrades(dayFile);
  if ('problem' in decoded) {
    const damage = [{ key: compactedDayKey('trades', dayMs), problem: decoded.problem }];
    return { ...compaction, status: 'damaged', damage };
  }
  await store.put(key, daySummaryBytes(dayFile, decoded.trades));
  return compaction;
}

type SourceRecords = { kind: 'trades'; records: Trade[] } | { kind: 'decisions'; records: Decision[] };

/** Every source object read and parsed, with the digest of their keys and contents and what did not parse. */
async function readSources(
  store: ObjectStore,
  kind: CompactedKind,
  keys: readonly string[],
): Promise<{ records: SourceRecords; digest: string; damage: { key: string; problem: string }[] }> {
  const damage: { key: string; problem: string }[] = [];
  const lines: string[] = [];
  const trades: Trade[] = [];
  const decisions: Decision[] = [];
  for (let start = 0; start < keys.length; start += READS_IN_FLIGHT) {
    const batch = keys.slice(start, start + READS_IN_FLIGHT);
    const bodies = await Promise.all(batch.map((key) => store.get(key)));
    batch.forEach((key, index) => {
      const bytes = bodies[index];
      if (bytes === undefined) {
        damage.push({ key, problem: 'was listed but could not be read' });
        return;
      }
      lines.push(`${key} ${sha256Hex(bytes)}`);
      if (kind === 'trades') {
        const parsed = parseLedgerObject(bytes, tradeSchema);
        if (parsed.ok) trades.push(parsed.value);
        else damage.push({ key, problem: `is not a valid trade (${parsed.reason})` });
      } else {
        const parsed = parseLedgerObject(bytes, decisionSchema);
        if (parsed.ok) decisions.push(parsed.value);
        else damage.push({ key, problem: `is not a valid decision (${parsed.reason})` });
      }
    });
  }
  return {
    records: kind === 'trades' ? { kind, records: trades } : { kind, records: decisions },
    digest: sha256Hex(new TextEncoder().encode(lines.join('\n'))),
    damage,
  };
}

function buildDay(
  kind: CompactedKind,
  sources: SourceRecords,
  digest: string,
): { bytes: Uint8Array; rows: number } {
  const metadata = [{ key: SOURCE_DIGEST_KEY, value: digest }];
  if (sources.kind === 'trades') {
    const trades = [...sources.records];
    trades.sort((a, b) => a.entryTimeMs - b.entryTimeMs || a.symbol.localeCompare(b.symbol));
    return { bytes: ledgerRowsToParquet(TRADE_COLUMNS, trades, metadata), rows: trades.length };
  }
  const decisions = [...sources.records].sort((a, b) => a.minuteMs - b.minuteMs);
  const rows = decisionRows(decisions);
  return { bytes: ledgerRowsToParquet(DECISION_COLUMNS, rows, metadata), rows: rows.length };
}

/** A stored day file decoded whole: its rows and source digest, or what is wrong with it. */
async function decodeFile(
  bytes: Uint8Array,
): Promise<{ rows: number; digest?: string } | { problem: string }> {
  const metadata = metadataOf(bytes);
  if (metadata === undefined)
    return { problem: `is not a readable Parquet file (${bytes.byteLength} bytes)` };
  try {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({ file, metadata });
    if (rows.length !== Number(metadata.num_rows))
      return { problem: `holds ${rows.length} rows where its footer says ${metadata.num_rows}` };
    return { rows: rows.length, digest: sourceDigestOf(metadata) };
  } catch (error) {
    return { problem: `does not decode: ${error instanceof Error ? error.message : String(error)}` };
  }
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
