/**
 * Where ingest gets candles from. A KlineSource hands back one symbol's candles for a time range as
 * columns, plus the raw files they came from when there are any (archives), so the lake can keep them.
 * `parseSourceSpec` turns the CLI's `--source` value into one.
 */
import { DEFAULT_SYMBOLS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { DAY_MS, floorToMinute, MINUTE_MS } from '../time.js';
import { periodRangeMs } from './archive.js';
import { LocalArchiveSource, openArchiveSource, type ArchiveSource } from './archive-source.js';
import { BinanceClient } from './binance-client.js';
import { ConflictingDuplicateKlineError } from './errors.js';
import type { KlineColumns } from './kline.js';
import { concatColumns, klinesToColumns, lowerBound, sliceColumns } from './kline-columns.js';
import { restBodyBytes, restBodyFileName } from './rest-body.js';
import type { SourceKind } from './source-kind.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from './synthetic.js';

/** [fromMs, toMs): open times from fromMs (inclusive) to toMs (exclusive), UTC epoch ms. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface RawArchive {
  fileName: string;
  bytes: Uint8Array;
}

export interface SourceFetch {
  columns: KlineColumns;
  rawArchives?: RawArchive[];
}

export interface KlineSource {
  readonly name: string;
  /** What the lake records for the candles it stores from this source (see source-kind.ts). */
  readonly kind: SourceKind;
  /** Candles with open time in [fromMs, toMs), sorted, without duplicates. */
  fetch(
    symbol: string,
    fromMs: number,
    toMs: number,
    onProgress?: (fetchedRows: number, expectedRows: number) => void,
  ): Promise<SourceFetch>;
  /** The range ingested when the user gives none and the lake has no watermark for the symbol. */
  defaultRange?(symbol: string): Promise<TimeRange | undefined> | TimeRange | undefined;
  /** The symbols the source holds, for sources that know them (an archive folder, the synthetic market). */
  listSymbols?(): Promise<string[]>;
}

export class UnknownSourceError extends Alpha15Error {
  readonly code = 'UNKNOWN_SOURCE';
  constructor(spec: string) {
    super(`unknown source "${spec}"`, 'use binance, archive:<dir> or synthetic', { data: { spec } });
  }
}

export class SymbolNotInSourceError extends Alpha15Error {
  readonly code = 'SYMBOL_NOT_IN_SOURCE';
  constructor(source: string, symbol: string, available: readonly string[]) {
    super(`source ${source} has no symbol ${symbol}`, `use one of ${available.join(', ')}`, {
      data: { source, symbol, available },
    });
  }
}

/** How far back a first REST ingest reaches when no --from is given. */
export const DEFAULT_REST_LOOKBACK_DAYS = 30;

export function binanceSource(client: BinanceClient, nowMs: () => number = Date.now): KlineSource {
  return {
    name: 'binance',
    kind: 'rest',
    fetch: async (symbol, fromMs, toMs, onProgress) => {
      const klines = await client.closedKlinesInRange(symbol, fromMs, toMs, onProgress);
      const columns = klinesToColumns(symbol, klines);
      const times = columns.openTimeMs;
      if (times.length === 0) return { columns };
      // the body kept in raw/, so every REST candle can be rebuilt like an archive's
      const fileName = restBodyFileName(symbol, times[0]!, times[times.length - 1]!);
      return { columns, rawArchives: [{ fileName, bytes: restBodyBytes(klines) }] };
    },
    defaultRange: () => {
      const toMs = floorToMinute(nowMs());
      return { fromMs: toMs - DEFAULT_REST_LOOKBACK_DAYS * DAY_MS, toMs };
    },
  };
}

/**
 * Candles from kline archives (a local folder or the data site). Every archive overlapping the range
 * is read whole and its zip handed back for raw/; a folder also knows its symbols and its time span.
 */
export function archiveSource(archives: ArchiveSource): KlineSource {
  const local = archives instanceof LocalArchiveSource ? archives : undefined;
  return {
    name: `archive:${archives.location}`,
    kind: 'archive',
    fetch: async (symbol, fromMs, toMs, onProgress) => {
      const entries = await archives.list(symbol, { fromMs, toMs });
      const expectedRows = Math.max(0, Math.ceil((toMs - fromMs) / MINUTE_MS));
      const parts: KlineColumns[] = [];
      const rawArchives: RawArchive[] = [];
      let fetchedRows = 0;
      for (const entry of entries) {
        const file = await archives.read(symbol, entry.period);
        const inRange = clipColumns(file.columns, fromMs, toMs);
        parts.push(inRange);
        rawArchives.push({ fileName: file.fileName, bytes: file.rawZip });
        fetchedRows += inRange.openTimeMs.length;
        onProgress?.(fetchedRows, expectedRows);
      }
      // monthly and daily files may overlap; they must agree where they do, and concatColumns keeps
      // one candle per minute (and copies, which a single archive does not need)
      const columns =
        parts.length === 1
          ? parts[0]!
          : concatColumns(symbol, parts, (joined, earlier, later, field) => {
              throw new ConflictingDuplicateKlineError(
                rawArchives.map((archive) => archive.fileName).join(' + '),
                joined.openTimeMs[earlier]!,
                'overlapping archives',
                field,
                joined[field][earlier]!,
                joined[field][later]!,
              );
            });
      return { columns, rawArchives };
    },
    ...(local && {
      listSymbols: () => local.symbols(),
      defaultRange: async (symbol: string) => {
        const entries = await local.list(symbol);
        if (entries.length === 0) return undefined;
        const spans = entries.map((entry) => periodRangeMs(entry.period));
        return {
          fromMs: Math.min(...spans.map((span) => span.startMs)),
          toMs: Math.max(...spans.map((span) => span.endMs)),
        };
      },
    }),
  };
}

/**
 * The synthetic market lives on one fixed range (so every run, and every resumed run, sees the same
 * candles): SYNTHETIC_DAYS days ending at SYNTHETIC_END_MS, generated over one fixed universe (the
 * default symbols, BTCUSDT leading the others by SYNTHETIC_LAG_MINUTES). Requests outside that range
 * get no candles.
 *
 * A symbol's candles are a pure function of the seed, the symbol and the minute: a symbol of the
 * universe is cut from the one run over the universe, and any other symbol X from the run over the
 * universe plus X, whatever symbols or sub-range were asked for. So re-ingesting any part reproduces
 * what is stored (the generator itself draws every coin from one stream in symbol order: a run over a
 * different symbol list would be a different market).
 */
export const SYNTHETIC_END_MS = Date.UTC(2026, 0, 1);
/** Long enough for a 20-coin model to learn the lead-lag before it memorises the training minutes. */
export const SYNTHETIC_DAYS = 60;
export const SYNTHETIC_SEED = 15;
/** Strong enough that the planted edge survives 0.1% fees per side: `npm start` should show alpha exists when it does. */
export const SYNTHETIC_STRENGTH = 0.6;
export const SYNTHETIC_LAG_MINUTES = 5;
export const SYNTHETIC_UNIVERSE: readonly string[] = DEFAULT_SYMBOLS;

/** The options of the run `symbol`'s candles are cut from (see above). */
export function syntheticMarketOptions(symbol?: string): SyntheticMarketOptions {
  const minutes = (SYNTHETIC_DAYS * DAY_MS) / MINUTE_MS;
  const universe = [...SYNTHETIC_UNIVERSE];
  return {
    symbols: symbol === undefined || universe.includes(symbol) ? universe : [...universe, symbol],
    startTimeMs: SYNTHETIC_END_MS - minutes * MINUTE_MS,
    minutes,
    seed: SYNTHETIC_SEED,
    plantedAlpha: { leader: universe[0]!, lagMinutes: SYNTHETIC_LAG_MINUTES, strength: SYNTHETIC_STRENGTH },
    gapRate: 0.0005,
  };
}

/** One symbol of the synthetic market, the same candles whichever symbols are generated with it. */
export function syntheticCandles(symbol: string): KlineColumns {
  const options = syntheticMarketOptions(symbol);
  return generateSyntheticMarket(options).find((columns) => columns.symbol === symbol)!;
}

/** The synthetic market for `symbols` (the config's): any symbol can be fetched, these are listed. */
export function syntheticSource(symbols: readonly string[]): KlineSource {
  const options = syntheticMarketOptions();
  const range = { fromMs: options.startTimeMs, toMs: options.startTimeMs + options.minutes * MINUTE_MS };
  // one run over the universe serves all of its symbols; a symbol outside it costs a run of its own
  let universe: Map<string, KlineColumns> | undefined;
  const candlesOf = (symbol: string): KlineColumns => {
    if (!SYNTHETIC_UNIVERSE.includes(symbol)) return syntheticCandles(symbol);
    universe ??= new Map(generateSyntheticMarket(options).map((columns) => [columns.symbol, columns]));
    return universe.get(symbol)!;
  };
  return {
    name: 'synthetic',
    kind: 'synthetic',
    fetch: async (symbol, fromMs, toMs) => ({ columns: clipColumns(candlesOf(symbol), fromMs, toMs) }),
    defaultRange: () => range,
    listSymbols: async () => [...symbols],
  };
}

/** `binance`, `archive:<dir or https URL>` or `synthetic` (over the config's symbols). */
export function parseSourceSpec(spec: string, config: Config): KlineSource {
  if (spec === 'binance') {
    return binanceSource(
      new BinanceClient({ baseUrl: config.binanceBaseUrl, timeoutMs: config.requestTimeoutMs }),
    );
  }
  if (spec.startsWith('archive:') && spec.length > 'archive:'.length) {
    return archiveSource(
      openArchiveSource(spec.slice('archive:'.length), { timeoutMs: config.requestTimeoutMs }),
    );
  }
  if (spec === 'synthetic') return syntheticSource(config.symbols);
  throw new UnknownSourceError(spec);
}

function clipColumns(columns: KlineColumns, fromMs: number, toMs: number): KlineColumns {
  return sliceColumns(columns, lowerBound(columns.openTimeMs, fromMs), lowerBound(columns.openTimeMs, toMs));
}
