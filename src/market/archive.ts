/**
 * Binance public-data kline archives: `<SYM>-1m-<YYYY-MM>.zip` (monthly) and `<SYM>-1m-<YYYY-MM-DD>.zip`
 * (daily), each holding one CSV of the same name (parsed by `kline-csv.ts`).
 */
import { sha256Hex } from '../checksum.js';
import { Alpha15Error } from '../errors.js';
import { DAY_MS, MINUTE_MS } from '../time.js';
import {
  ArchiveChecksumError,
  ArchiveMismatchError,
  CorruptArchiveError,
  EmptyArchiveError,
} from './errors.js';
import { locateCsvEntry } from './zip-csv.js';
import type { KlineColumns } from './kline.js';
import { parseKlineCsv } from './kline-csv.js';

export { parseKlineCsv };

export type ArchivePeriod = string; // "YYYY-MM" (monthly) or "YYYY-MM-DD" (daily)

export class InvalidArchivePeriodError extends Alpha15Error {
  readonly code = 'INVALID_ARCHIVE_PERIOD';
}

export function archiveFileName(symbol: string, period: ArchivePeriod): string {
  if (!/^\d{4}-\d{2}(-\d{2})?$/.test(period)) {
    throw new InvalidArchivePeriodError(
      `archive period "${period}" is neither YYYY-MM nor YYYY-MM-DD`,
      'monthly archives are named by month (2026-02), daily ones by day (2026-02-14)',
    );
  }
  return `${symbol}-1m-${period}.zip`;
}

export interface ArchiveFileInfo {
  symbol: string;
  period: ArchivePeriod;
  kind: 'monthly' | 'daily';
}

/** The inverse of `archiveFileName` (or of the CSV name inside, with `extension` 'csv'); undefined for any other name. */
export function parseArchiveFileName(fileName: string, extension = 'zip'): ArchiveFileInfo | undefined {
  const match = new RegExp(`^([A-Z0-9]+)-1m-(\\d{4}-\\d{2}(?:-\\d{2})?)\\.${extension}$`).exec(fileName);
  if (!match) return undefined;
  const period = match[2]!;
  return { symbol: match[1]!, period, kind: period.length === 7 ? 'monthly' : 'daily' };
}

/** A `.CHECKSUM` file as the data site publishes it: `<sha256 hex>  <file name>`. */
export function parseChecksumFile(text: string): { sha256: string; fileName: string } {
  const match = /^\s*([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(text);
  if (!match) {
    throw new CorruptArchiveError(
      '.CHECKSUM',
      `expected "<sha256>  <file name>", got ${JSON.stringify(text.slice(0, 100))}`,
    );
  }
  return { sha256: match[1]!.toLowerCase(), fileName: match[2]! };
}

export interface ReadArchiveOptions {
  expectedSha256?: string;
  /** Names the archive in error messages. */
  fileName?: string;
}

/** Verifies (optionally) and unzips one archive and parses its CSV. */
export function readKlineArchive(
  symbol: string,
  zipBytes: Uint8Array,
  options: ReadArchiveOptions | string = {},
): KlineColumns {
  const archive = openKlineArchive(symbol, zipBytes, options);
  return archive.parse(archive.entry.inflateSync());
}

/**
 * `readKlineArchive` with the inflate on libuv's thread pool: another core inflates one archive while
 * this thread parses or writes the previous one (ingest reads the next symbol during a write).
 */
export async function readKlineArchiveAsync(
  symbol: string,
  zipBytes: Uint8Array,
  options: ReadArchiveOptions | string = {},
): Promise<KlineColumns> {
  const archive = openKlineArchive(symbol, zipBytes, options);
  return archive.parse(await archive.entry.inflate());
}

function openKlineArchive(symbol: string, zipBytes: Uint8Array, options: ReadArchiveOptions | string) {
  const { expectedSha256, fileName = `${symbol} archive` } =
    typeof options === 'string' ? { expectedSha256: options } : options;
  if (expectedSha256 !== undefined) {
    const actual = sha256Hex(zipBytes);
    if (actual !== expectedSha256.toLowerCase())
      throw new ArchiveChecksumError(fileName, expectedSha256, actual);
  }
  const entry = locateCsvEntry(zipBytes, fileName, csvLimitBytes);
  const period = checkArchiveIdentity(symbol, fileName, entry.name);
  return {
    entry,
    parse: (csv: Uint8Array) =>
      checkRows(parseKlineCsv(symbol, csv, `${fileName}:${entry.name}`), fileName, period),
  };
}

/**
 * A Binance archive `<SYM>-1m-<period>.zip` holds `<SYM>-1m-<period>.csv`. A copy renamed to another
 * symbol or month keeps its inner name, so the inner name must match both the outer one (when the
 * outer one is an archive name) and the symbol asked for. Returns the period the rows must lie in.
 */
function checkArchiveIdentity(symbol: string, fileName: string, csvName: string): ArchivePeriod {
  const inner = parseArchiveFileName(csvName.slice(csvName.lastIndexOf('/') + 1), 'csv');
  if (!inner) {
    throw new ArchiveMismatchError(
      fileName,
      `the CSV inside is named "${csvName}", not <SYMBOL>-1m-<period>.csv`,
    );
  }
  const outer = parseArchiveFileName(fileName.slice(fileName.lastIndexOf('/') + 1));
  if (outer && (outer.symbol !== inner.symbol || outer.period !== inner.period)) {
    throw new ArchiveMismatchError(
      fileName,
      `the CSV inside is ${csvName}: symbol ${inner.symbol} and period ${inner.period}, not ${outer.symbol} and ${outer.period} as the file name says`,
    );
  }
  if (inner.symbol !== symbol)
    throw new ArchiveMismatchError(
      fileName,
      `holds ${inner.symbol} candles (${csvName}), but ${symbol} was asked for`,
    );
  return inner.period;
}

/** Every row inside the archive's period, and at least one row. */
function checkRows(columns: KlineColumns, fileName: string, period: ArchivePeriod): KlineColumns {
  const times = columns.openTimeMs;
  if (times.length === 0) throw new EmptyArchiveError(fileName);
  const { startMs, endMs } = periodRangeMs(period);
  const first = times[0]!;
  const last = times[times.length - 1]!;
  if (first < startMs || last >= endMs) {
    const outside = first < startMs ? first : last;
    throw new ArchiveMismatchError(
      fileName,
      `holds a candle at ${new Date(outside).toISOString()}, outside its period ${period} (${new Date(startMs).toISOString()} to ${new Date(endMs).toISOString()})`,
    );
  }
  return columns;
}

/** [startMs, endMs) covered by a monthly (YYYY-MM) or daily (YYYY-MM-DD) period. */
export function periodRangeMs(period: ArchivePeriod): { startMs: number; endMs: number } {
  const [year, month, day] = period.split('-').map(Number) as [number, number, number | undefined];
  if (day === undefined) return { startMs: Date.UTC(year, month - 1, 1), endMs: Date.UTC(year, month, 1) };
  const startMs = Date.UTC(year, month - 1, day);
  return { startMs, endMs: startMs + DAY_MS };
}

/**
 * The most CSV bytes a 1m archive of a period can hold: one row per minute at most
 * MAX_CSV_ROW_BYTES, plus a header. Real rows are about 113 bytes with millisecond timestamps and 119
 * with microsecond ones (a 31-day month: ~5.3 MB); the limit leaves twice that for longer prices.
 */
export const MAX_CSV_ROW_BYTES = 256;
const MAX_HEADER_BYTES = 1024;

export function maxCsvBytes(period: ArchivePeriod): number {
  const { startMs, endMs } = periodRangeMs(period);
  return ((endMs - startMs) / MINUTE_MS) * MAX_CSV_ROW_BYTES + MAX_HEADER_BYTES;
}

/** The limit for an entry named like `<SYM>-1m-<period>.csv`; a 31-day month for any other name. */
function csvLimitBytes(csvName: string): number {
  const inner = parseArchiveFileName(csvName.slice(csvName.lastIndexOf('/') + 1), 'csv');
  return maxCsvBytes(inner?.period ?? '2026-01');
}
