/**
 * Ingest: source → raw archives (kept as they came) → curated Parquet partitions → watermark, one
 * symbol at a time. Idempotent (a merge that changes nothing writes nothing) and resumable (without an
 * explicit start it continues after the symbol's watermark). A failure part-way leaves every
 * partition either as it was or fully rewritten, and the watermark where the last success put it.
 */
import type { KlineSource, TimeRange } from '../market/source.js';
import type { ObjectStore } from '../store/object-store.js';
import { floorToMinute, MINUTE_MS } from '../time.js';
import { gapReport } from '../lake/grid.js';
import { rawArchiveKey } from '../lake/layout.js';
import { readWatermark } from '../lake/watermark.js';
import { writeKlines } from '../lake/writer.js';

export interface IngestProgress {
  symbol: string;
  phase: 'fetch' | 'write' | 'done';
  /** Rows fetched so far for this symbol, and how many the range can hold at most. */
  fetchedRows: number;
  expectedRows: number;
  symbolIndex: number;
  symbolCount: number;
}

export interface IngestOptions {
  store: ObjectStore;
  source: KlineSource;
  symbols: readonly string[];
  /** Start of the range (inclusive); default: the minute after the symbol's watermark, else the source's default. */
  fromMs?: number;
  /** End of the range (exclusive); default: the source's default end, else now. */
  toMs?: number;
  onProgress?: (progress: IngestProgress) => void;
  nowMs?: () => number;
}

export interface SymbolIngestResult {
  /** The range asked of the source, [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** Candles the source returned, and how many of them the lake did not hold yet. */
  rowsFetched: number;
  rowsAdded: number;
  partitionsWritten: number;
  rawArchivesStored: number;
  /** First and last open time fetched (null when the source had nothing new). */
  first: number | null;
  last: number | null;
  /** Minutes between first and last the source had no candle for. */
  missing: number;
}

export interface IngestResult {
  source: string;
  symbols: Record<string, SymbolIngestResult>;
}

export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const { store, source, symbols, onProgress } = options;
  const nowMs = options.nowMs ?? Date.now;
  const result: IngestResult = { source: source.name, symbols: {} };

  const report = (
    symbolIndex: number,
    phase: IngestProgress['phase'],
    fetchedRows: number,
    expectedRows: number,
  ) =>
    onProgress?.({
      symbol: symbols[symbolIndex]!,
      phase,
      fetchedRows,
      expectedRows,
      symbolIndex,
      symbolCount: symbols.length,
    });

  const fetchSymbol = async (symbolIndex: number) => {
    const symbol = symbols[symbolIndex]!;
    const range = await resolveRange(options, symbol, nowMs);
    const expectedRows = Math.max(0, Math.ceil((range.toMs - range.fromMs) / MINUTE_MS));
    if (range.toMs <= range.fromMs) return { range, expectedRows, fetched: undefined };
    report(symbolIndex, 'fetch', 0, expectedRows);
    const fetched = await source.fetch(symbol, range.fromMs, range.toMs, (rows, expected) =>
      report(symbolIndex, 'fetch', rows, expected),
    );
    return { range, expectedRows, fetched };
  };
  const fetches: ReturnType<typeof fetchSymbol>[] = [];
  const startFetch = (symbolIndex: number) => (fetches[symbolIndex] ??= fetchSymbol(symbolIndex));

  for (const [symbolIndex, symbol] of symbols.entries()) {
    const { range, expectedRows, fetched } = await startFetch(symbolIndex);
    // fetch the next symbol while this one is written (parse and network overlap the store's I/O);
    // a failure there surfaces when its turn comes
    if (symbolIndex + 1 < symbols.length) startFetch(symbolIndex + 1).catch(() => undefined);

    const symbolResult: SymbolIngestResult = {
      ...range,
      rowsFetched: 0,
      rowsAdded: 0,
      partitionsWritten: 0,
      rawArchivesStored: 0,
      first: null,
      last: null,
      missing: 0,
    };
    result.symbols[symbol] = symbolResult;
    if (!fetched) {
      report(symbolIndex, 'done', 0, 0);
      continue;
    }
    const times = fetched.columns.openTimeMs;
    report(symbolIndex, 'write', times.length, expectedRows);

    // raw first: the curated partitions must always be rebuildable from what raw/ holds
    for (const archive of fetched.rawArchives ?? []) {
      if (await store.putIfAbsent(rawArchiveKey(symbol, archive.fileName), archive.bytes))
        symbolResult.rawArchivesStored++;
    }
    const written = await writeKlines(store, fetched.columns);
    Object.assign(symbolResult, {
      rowsFetched: times.length,
      rowsAdded: written.rowsAdded,
      partitionsWritten: written.partitionsWritten,
      first: times.length > 0 ? times[0]! : null,
      last: times.length > 0 ? times[times.length - 1]! : null,
      missing: gapReport([fetched.columns])[symbol]!.missing,
    });
    report(symbolIndex, 'done', times.length, expectedRows);
  }
  return result;
}

async function resolveRange(options: IngestOptions, symbol: string, nowMs: () => number): Promise<TimeRange> {
  let defaults: TimeRange | undefined;
  const sourceDefault = async () => (defaults ??= await options.source.defaultRange?.(symbol));
  let fromMs = options.fromMs;
  if (fromMs === undefined) {
    const watermark = await readWatermark(options.store, symbol);
    fromMs = watermark ? watermark.lastOpenTimeMs + MINUTE_MS : (await sourceDefault())?.fromMs;
  }
  const toMs = options.toMs ?? (await sourceDefault())?.toMs ?? floorToMinute(nowMs());
  return { fromMs: fromMs ?? toMs, toMs };
}
