/**
 * Backfill: history from the archive site's monthly zips into the lake, one (symbol, month) item at a
 * time, each through the same ingest core as `alpha15 ingest` (raw zip kept, Parquet merged by open
 * time, watermark moved last). An item is the unit the Step Functions Distributed Map fans out and the
 * unit `alpha15 backfill --local` runs in-process, so both paths run exactly `backfillItem`.
 *
 * Idempotent: an item whose month the watermark already records and whose raw archive is stored was
 * ingested completely before (raw is written first, the watermark last), so it is skipped without a
 * download; anything else is downloaded and merged, which adds only the minutes the lake lacks.
 */
import { requestRetrainForNewData } from './request-retrain.js';
import { z } from 'zod';
import { symbolSchema } from '../contracts/symbols.js';
import { Alpha15Error } from '../errors.js';
import { ingest } from './ingest.js';
import { partitionId, partitionStartFromKey, rawArchiveKey, symbolPartitionsPrefix } from '../lake/layout.js';
import { parquetToPartition } from '../lake/parquet.js';
import { mapWithConcurrency } from '../lake/pool.js';
import { commitWatermark, partitionStats, readWatermark, type PartitionStats } from '../lake/watermark.js';
import { archiveFileName, periodRangeMs } from '../market/archive.js';
import {
  openArchiveSource,
  type ArchiveRetry,
  type HttpArchiveSourceOptions,
} from '../market/archive-source.js';
import { archiveSource } from '../market/source.js';
import type { ObjectStore } from '../store/object-store.js';
import { DAY_MS } from '../time.js';

/** Items in flight at once, locally and in the state machine's Distributed Map. */
export const DEFAULT_BACKFILL_CONCURRENCY = 10;

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const backfillItemSchema = z.object({
  symbol: symbolSchema,
  month: z.string().regex(monthPattern, 'a UTC month, YYYY-MM'),
});
export type BackfillItem = z.infer<typeof backfillItemSchema>;

export class InvalidBackfillRangeError extends Alpha15Error {
  readonly code = 'INVALID_BACKFILL_RANGE';
}

export interface BackfillItemResult extends BackfillItem {
  /** `skipped`: the lake already held this archive's month, nothing was downloaded. */
  status: 'ingested' | 'skipped';
  rowsFetched: number;
  rowsAdded: number;
  partitionsWritten: number;
  /** Downloads retried, and how many of those the site asked for (429/503). */
  retries: number;
  throttledRetries: number;
  durationMs: number;
}

export interface BackfillFailure extends BackfillItem {
  /** The error's class name (what Step Functions records as `Error`). */
  error: string;
  message: string;
}

export interface BackfillSummary {
  items: number;
  succeeded: number;
  skipped: number;
  failed: number;
  rowsFetched: number;
  rowsAdded: number;
  retries: number;
  throttledRetries: number;
  failures: BackfillFailure[];
}

/**
 * Every (symbol, month) from `fromMonth` to `toMonth`, both inclusive, month-major so a partial run has
 * whole months of the universe. The site publishes a month's file only after the month ends, so the
 * range must end before the month of `nowMs`.
 */
export function planBackfill(
  symbols: readonly string[],
  fromMonth: string,
  toMonth: string,
  nowMs: number = Date.now(),
): BackfillItem[] {
  const fromMs = monthStartMs(fromMonth, 'first');
  const toMs = monthStartMs(toMonth, 'last');
  if (toMs < fromMs)
    throw new InvalidBackfillRangeError(
      `the last month ${toMonth} is before the first month ${fromMonth}`,
      'swap the two months',
      { data: { reason: 'reversed', fromMonth, toMonth } },
    );
  const now = new Date(nowMs);
  const currentMonthMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  if (toMs >= currentMonthMs) {
    const lastPublishedMonth = partitionId(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    throw new InvalidBackfillRangeError(
      `the last month ${toMonth} has not ended yet: the archive site publishes a month's file after the month ends`,
      `end at ${lastPublishedMonth} or earlier; ingesting from the Binance REST API fills the current month`,
      { data: { reason: 'unpublished', toMonth, lastPublishedMonth } },
    );
  }
  const items: BackfillItem[] = [];
  for (let startMs = fromMs; startMs <= toMs;) {
    const month = partitionId(startMs);
    for (const symbol of symbols) items.push(backfillItemSchema.parse({ symbol, month }));
    const start = new Date(startMs);
    startMs = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
  }
  return items;
}

function monthStartMs(month: string, which: 'first' | 'last'): number {
  const match = monthPattern.exec(month);
  if (!match)
    throw new InvalidBackfillRangeError(
      `the ${which} month "${month}" is not a month`,
      'use YYYY-MM, e.g. 2023-01',
      {
        data: { reason: 'not-a-month', which, month },
      },
    );
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, 1);
}

export interface BackfillItemDeps {
  store: ObjectStore;
  /** A folder of archives, or the data site (or a mirror) over HTTP. */
  archiveBase: string;
  http?: Omit<HttpArchiveSourceOptions, 'baseUrl' | 'onRetry'>;
  nowMs?: () => number;
}

export async function backfillItem(item: BackfillItem, deps: BackfillItemDeps): Promise<BackfillItemResult> {
  const nowMs = deps.nowMs ?? Date.now;
  const startedMs = nowMs();
  const { symbol, month } = backfillItemSchema.parse(item);
  const result: BackfillItemResult = {
    symbol,
    month,
    status: 'skipped',
    rowsFetched: 0,
    rowsAdded: 0,
    partitionsWritten: 0,
    retries: 0,
    throttledRetries: 0,
    durationMs: 0,
  };
  if (!(await alreadyIngested(deps.store, symbol, month))) {
    const archives = openArchiveSource(deps.archiveBase, {
      ...deps.http,
      onRetry: (retry: ArchiveRetry) => {
        result.retries++;
        if (retry.throttled) result.throttledRetries++;
      },
    });
    const { startMs, endMs } = periodRangeMs(month);
    const ingested = await ingest({
      store: deps.store,
      source: archiveSource(archives),
      symbols: [symbol],
      fromMs: startMs,
      toMs: endMs,
    });
    const symbolResult = ingested.symbols[symbol]!;
    Object.assign(result, {
      status: 'ingested',
      rowsFetched: symbolResult.rowsFetched,
      rowsAdded: symbolResult.rowsAdded,
      partitionsWritten: symbolResult.partitionsWritten,
    });
  }
  result.durationMs = nowMs() - startedMs;
  return result;
}

async function alreadyIngested(store: ObjectStore, symbol: string, month: string): Promise<boolean> {
  const claimed = (await readWatermark(store, symbol))?.partitions[month];
  if (!claimed) return false;
  // a partial file of the month (or a partial ingest) leaves it open: only a month whose candles reach
  // its first and its last day counts as done
  const { startMs, endMs } = periodRangeMs(month);
  if (claimed.firstOpenTimeMs >= startMs + DAY_MS || claimed.lastOpenTimeMs < endMs - DAY_MS) return false;
  const rawKey = rawArchiveKey(symbol, archiveFileName(symbol, month));
  // a listing, not a GET: the zip is megabytes
  return (await store.list(rawKey)).includes(rawKey);
}

export interface BackfillProgress {
  total: number;
  done: number;
  failed: number;
  rowsAdded: number;
  /** The item that just finished. */
  item: BackfillItem;
}

export interface LocalBackfillOptions extends BackfillItemDeps {
  items: readonly BackfillItem[];
  concurrency?: number;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface LocalBackfillResult extends BackfillSummary {
  results: BackfillItemResult[];
}

/**
 * The items in-process with bounded concurrency. Like the Distributed Map with its tolerated failures,
 * a failing item is recorded and the others go on. Items of one symbol share its watermark object (a
 * read-modify-write), so they run one after another here; the state machine cannot order its items,
 * and settles the watermarks after its Map instead (`settleWatermarks`).
 */
export async function backfillLocal(options: LocalBackfillOptions): Promise<LocalBackfillResult> {
  const { items, onProgress } = options;
  const results: BackfillItemResult[] = [];
  const failures: BackfillFailure[] = [];
  let done = 0;
  const bySymbol = new Map<string, BackfillItem[]>();
  for (const item of items) bySymbol.set(item.symbol, [...(bySymbol.get(item.symbol) ?? []), item]);
  await mapWithConcurrency(
    [...bySymbol.values()],
    options.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY,
    async (symbolItems) => {
      for (const item of symbolItems) {
        try {
          results.push(await backfillItem(item, options));
        } catch (error) {
          failures.push(failureOf(item, error));
        }
        done++;
        onProgress?.({
          total: items.length,
          done,
          failed: failures.length,
          rowsAdded: sum(results, 'rowsAdded'),
          item,
        });
      }
    },
  );
  const order = (a: BackfillItem, b: BackfillItem) =>
    a.month.localeCompare(b.month) || a.symbol.localeCompare(b.symbol);
  results.sort(order);
  failures.sort(order);
  return { ...backfillTotals(results, failures), results };
}

/**
 * Adds to a symbol's watermark every stored partition it does not record. Parallel items of one symbol
 * (separate Lambdas) each read, extend and write the same watermark, so one may overwrite another's
 * entry; the partitions themselves are whole either way. Reads only the partitions missing from the
 * watermark, so after a clean run it costs one LIST and one GET per symbol.
 */
export async function settleWatermarks(
  store: ObjectStore,
  symbols: readonly string[],
): Promise<Record<string, { partitionsAdded: number }>> {
  const settled: Record<string, { partitionsAdded: number }> = {};
  for (const symbol of symbols) {
    const recorded = (await readWatermark(store, symbol))?.partitions ?? {};
    const updates: Record<string, PartitionStats> = {};
    for (const key of await store.list(symbolPartitionsPrefix(symbol))) {
      const startMs = partitionStartFromKey(key);
      if (startMs === undefined || recorded[partitionId(startMs)]) continue;
      const bytes = await store.get(key);
      if (!bytes) continue; // deleted since the listing
      const partition = await parquetToPartition(symbol, bytes, key);
      if (partition.columns.openTimeMs.length === 0) continue;
      updates[partitionId(startMs)] = partitionStats(partition.columns, partition.sources);
    }
    if (Object.keys(updates).length > 0) await commitWatermark(store, symbol, updates);
    settled[symbol] = { partitionsAdded: Object.keys(updates).length };
  }
  return settled;
}

/**
 * The state machine's closing task: settle the watermarks, then ask for one retrain for the whole
 * backfill (its items' partition writes trigger nothing).
 */
export async function finishBackfill(
  store: ObjectStore,
  symbols: readonly string[],
  nowMs: number,
): Promise<{ settled: Record<string, { partitionsAdded: number }>; retrainRequestKey: string }> {
  const settled = await settleWatermarks(store, symbols);
  return { settled, retrainRequestKey: await requestRetrainForNewData(store, 'backfill', nowMs) };
}

export function failureOf(item: BackfillItem, error: unknown): BackfillFailure {
  return {
    symbol: item.symbol,
    month: item.month,
    error: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
  };
}

/** The totals of a run, from its item results and failures (local, or read from the Map's result files). */
export function backfillTotals(
  results: readonly BackfillItemResult[],
  failures: readonly BackfillFailure[],
): BackfillSummary {
  return {
    items: results.length + failures.length,
    succeeded: results.length,
    skipped: results.filter((result) => result.status === 'skipped').length,
    failed: failures.length,
    rowsFetched: sum(results, 'rowsFetched'),
    rowsAdded: sum(results, 'rowsAdded'),
    retries: sum(results, 'retries'),
    throttledRetries: sum(results, 'throttledRetries'),
    failures: [...failures],
  };
}

function sum(
  results: readonly BackfillItemResult[],
  field: 'rowsFetched' | 'rowsAdded' | 'retries' | 'throttledRetries',
) {
  return results.reduce((total, result) => total + result[field], 0);
}
