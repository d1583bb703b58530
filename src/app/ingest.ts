/**
 * Ingest: source → raw archives (kept as they came) → curated Parquet partitions → watermark, one
 * symbol at a time. Idempotent (a merge that changes nothing writes nothing) and resumable (without an
 * explicit start it continues after the symbol's watermark, once the watermark is checked against the
 * partitions actually stored). A failure part-way leaves every partition either as it was or fully
 * rewritten, and the watermark where the last success put it. Bad input (a rejected file, a candle
 * that contradicts a stored one) fails before anything of that symbol is written, raw/ included.
 *
 * Candles of one origin are never added to a symbol holding the other (synthetic against real, see
 * market/source-kind.ts) unless `allowMixedSources`: the whole run is refused before anything is
 * fetched. Every symbol's result says what happened and why (`status`, `reason`); `requireIngestedRows` turns
 * "nothing matched what was asked" into an error for callers that must not exit 0 on it.
 */
import { Alpha15Error } from '../errors.js';
import { SymbolNotInSourceError, type KlineSource, type TimeRange } from '../market/source.js';
import { MixedDataSourcesError, originOf, type SourceKind } from '../market/source-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import { floorToMinute, isoMinute, MINUTE_MS } from '../time.js';
import { gapReport } from '../lake/grid.js';
import type { ReplacedKline } from '../lake/merge.js';
import { storeRawObject } from '../lake/raw.js';
import { writeIngestRecord } from '../lake/raw-ingests.js';
import { watermarkSources } from '../lake/watermark.js';
import { readWatermarkIfReadable, reconcileWatermark } from '../lake/watermark-rebuild.js';
import { prepareKlinesWrite } from '../lake/writer.js';

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
  /** Replace stored candles that differ from the source's (recorded in `replaced`) instead of failing. */
  overwrite?: boolean;
  /** Add candles to symbols that hold candles of the other origin (synthetic vs real) instead of failing. */
  allowMixedSources?: boolean;
}

/**
 * - stored: new candles (or, with overwrite, replaced ones) went into the lake;
 * - already-stored: the source's candles were all in the lake with the same values;
 * - up-to-date: resuming after the watermark, the source had nothing newer;
 * - nothing-in-range: the source had no candle in the range asked for.
 */
export type SymbolIngestStatus = 'stored' | 'already-stored' | 'up-to-date' | 'nothing-in-range';

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
  status: SymbolIngestStatus;
  /** Why, in words (always set, most useful when nothing was stored). */
  reason: string;
  /** Stored candles the source's replaced (only with `overwrite`). */
  replaced: ReplacedKline[];
}

export interface IngestResult {
  source: string;
  symbols: Record<string, SymbolIngestResult>;
}

export class InvalidIngestRangeError extends Alpha15Error {
  readonly code = 'INGEST_RANGE_EMPTY';
  override readonly data: { fromMs: number; toMs: number };
  constructor(fromMs: number, toMs: number) {
    super(
      `the range to ingest is empty: from ${isoMinute(fromMs)} is not before to ${isoMinute(toMs)}`,
      'the start is inclusive and the end exclusive: give a start earlier than the end',
    );
    this.data = { fromMs, toMs };
  }
}

/** Some symbols got no candle at all from the range asked for. */
export class NothingIngestedError extends Alpha15Error {
  readonly code = 'INGEST_NOTHING_MATCHED';
  override readonly data: { symbols: Record<string, string>; result: IngestResult };
  constructor(result: IngestResult, empty: string[]) {
    const reasons = Object.fromEntries(empty.map((symbol) => [symbol, result.symbols[symbol]!.reason]));
    super(
      `nothing to ingest for ${empty.join(', ')}: ${empty.map((symbol) => `${symbol}: ${reasons[symbol]}`).join('; ')}`,
      'check the date range against the period the source covers, and the symbols against what it holds',
    );
    this.data = { symbols: reasons, result };
  }
}

/** Throws NothingIngestedError when a symbol got no candle from the range asked for. */
export function requireIngestedRows(result: IngestResult): IngestResult {
  const empty = Object.keys(result.symbols).filter(
    (symbol) => result.symbols[symbol]!.status === 'nothing-in-range',
  );
  if (empty.length > 0) throw new NothingIngestedError(result, empty);
  return result;
}

export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const { store, source, symbols, onProgress } = options;
  const nowMs = options.nowMs ?? Date.now;
  const result: IngestResult = { source: source.name, symbols: {} };
  if (options.fromMs !== undefined && options.toMs !== undefined && options.fromMs >= options.toMs)
    throw new InvalidIngestRangeError(options.fromMs, options.toMs);
  // a symbol the source cannot have fails before anything is fetched or written
  const available = await source.listSymbols?.();
  const unknown = available && symbols.find((symbol) => !available.includes(symbol));
  if (unknown) throw new SymbolNotInSourceError(source.name, unknown, available);
  if (!options.allowMixedSources) await refuseMixedOrigins(store, source.kind, symbols);

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

    const { resumed, ...span } = range;
    const symbolResult: SymbolIngestResult = {
      ...span,
      rowsFetched: 0,
      rowsAdded: 0,
      partitionsWritten: 0,
      rawArchivesStored: 0,
      first: null,
      last: null,
      missing: 0,
      status: 'up-to-date',
      reason: '',
      replaced: [],
    };
    result.symbols[symbol] = symbolResult;
    const times = fetched?.columns.openTimeMs;
    if (!fetched || times!.length === 0) {
      Object.assign(symbolResult, nothingFetched(source.name, symbol, span, resumed));
      report(symbolIndex, 'done', 0, 0);
      continue;
    }
    report(symbolIndex, 'write', times!.length, expectedRows);
    // merge first: a conflict with stored candles must fail before raw/ keeps the file that caused it;
    // then raw before curated: the curated partitions must always be rebuildable from what raw/ holds
    const write = await prepareKlinesWrite(store, fetched.columns, {
      overwrite: options.overwrite,
      source: source.kind,
    });

    for (const archive of fetched.rawArchives ?? []) {
      // content-addressed: a fuller or corrected file of a name already kept goes beside the old one
      const { key, stored } = await storeRawObject(store, symbol, archive.fileName, archive.bytes);
      if (stored) symbolResult.rawArchivesStored++;
      // what was taken from it, and whether it won over stored candles, so verify and repair agree
      await writeIngestRecord(store, symbol, {
        key,
        fromMs: range.fromMs,
        toMs: range.toMs,
        overwrite: options.overwrite === true,
        atMs: nowMs(),
      });
    }
    const written = await write.commit();
    const changed = written.rowsAdded > 0 || written.replaced.length > 0;
    Object.assign(symbolResult, {
      rowsFetched: times!.length,
      rowsAdded: written.rowsAdded,
      partitionsWritten: written.partitionsWritten,
      first: times![0]!,
      last: times![times!.length - 1]!,
      missing: gapReport([fetched.columns])[symbol]!.missing,
      status: changed ? 'stored' : 'already-stored',
      reason: changed
        ? `${written.rowsAdded} new candles${written.replaced.length > 0 ? `, ${written.replaced.length} replaced as allowed` : ''}`
        : `all ${times!.length} candles were already in the lake with the same values`,
      replaced: written.replaced,
    });
    report(symbolIndex, 'done', times!.length, expectedRows);
  }
  return result;
}

/**
 * Throws MixedDataSourcesError naming every symbol whose recorded sources include the other origin.
 * Reads only the watermarks (one small object per symbol); partitions recording no source, and an
 * unreadable watermark (ingest rebuilds it), count as neither origin.
 */
async function refuseMixedOrigins(
  store: ObjectStore,
  incoming: SourceKind,
  symbols: readonly string[],
): Promise<void> {
  const mixed: Record<string, SourceKind[]> = {};
  for (const symbol of symbols) {
    const { kinds } = watermarkSources(await readWatermarkIfReadable(store, symbol));
    if (kinds.some((kind) => originOf(kind) !== originOf(incoming))) mixed[symbol] = kinds;
  }
  if (Object.keys(mixed).length > 0) throw new MixedDataSourcesError(incoming, mixed);
}

function nothingFetched(
  sourceName: string,
  symbol: string,
  { fromMs, toMs }: TimeRange,
  resumed: boolean,
): Pick<SymbolIngestResult, 'status' | 'reason'> {
  const span = `${isoMinute(fromMs)} .. ${isoMinute(toMs)}`;
  if (resumed) {
    return {
      status: 'up-to-date',
      reason:
        toMs <= fromMs
          ? `the lake already reaches ${isoMinute(fromMs - MINUTE_MS)}, the end of what ${sourceName} offers`
          : `${sourceName} has no ${symbol} candle after the watermark (${span})`,
    };
  }
  return {
    status: 'nothing-in-range',
    reason:
      toMs <= fromMs
        ? `the range is empty (${span}): the start is not before the end of what ${sourceName} offers`
        : `${sourceName} has no ${symbol} candle in ${span}`,
  };
}

/** The range to fetch; `resumed` when it starts after the watermark rather than where asked. */
async function resolveRange(
  options: IngestOptions,
  symbol: string,
  nowMs: () => number,
): Promise<TimeRange & { resumed: boolean }> {
  let defaults: TimeRange | undefined;
  const sourceDefault = async () => (defaults ??= await options.source.defaultRange?.(symbol));
  let fromMs = options.fromMs;
  let resumed = false;
  if (fromMs === undefined) {
    // the watermark may claim partitions that are gone (deleted, or never written by a crashed run):
    // resume from the first candle the lake really lacks, not from the watermark's word
    const resumeFromMs = await reconcileWatermark(options.store, symbol);
    resumed = resumeFromMs !== undefined;
    fromMs = resumeFromMs ?? (await sourceDefault())?.fromMs;
  }
  const toMs = options.toMs ?? (await sourceDefault())?.toMs ?? floorToMinute(nowMs());
  return { fromMs: fromMs ?? toMs, toMs, resumed };
}
