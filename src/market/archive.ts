/**
 * Binance public-data kline archives: `<SYM>-1m-<YYYY-MM>.zip` (monthly) and `<SYM>-1m-<YYYY-MM-DD>.zip`
 * (daily), each holding one CSV of the same name (parsed by `kline-csv.ts`).
 */
import { sha256Hex } from '../checksum.js';
import { promisify } from 'node:util';
import { crc32, inflateRaw, inflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { Alpha15Error } from '../errors.js';
import { DAY_MS } from '../time.js';
import {
  ArchiveChecksumError,
  ArchiveMismatchError,
  CorruptArchiveError,
  EmptyArchiveError,
} from './errors.js';
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
  const entry = locateSingleCsv(zipBytes, fileName);
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

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const MAX_INFLATE_CHUNK_BYTES = 256 * 1024 * 1024;

const inflateRawAsync = promisify(inflateRaw);

/** The CSV entry of an archive; inflating checks its size and CRC-32 and fails as CorruptArchiveError. */
interface CsvEntry {
  name: string;
  inflateSync(): Uint8Array;
  inflate(): Promise<Uint8Array>;
}

/**
 * The one CSV inside an archive. Binance's zips hold a single deflated entry with its sizes in the
 * local header; for those, node's native inflate is about twice as fast as fflate's JavaScript one,
 * and ingest speed is a target. Any other layout goes through fflate. Either way a zip that lost its
 * tail (no end-of-central-directory record) is rejected: fflate alone would accept it.
 */
function locateSingleCsv(zipBytes: Uint8Array, fileName: string): CsvEntry {
  const view = new DataView(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength);
  if (!hasEndOfCentralDirectory(view)) {
    throw new CorruptArchiveError(
      fileName,
      `truncated or not a zip (${zipBytes.length} bytes, no end-of-central-directory record)`,
    );
  }
  const deflated = singleDeflatedEntry(zipBytes, view);
  if (!deflated) {
    const { name, csv } = asCorrupt(fileName, () => fflateSingleEntry(zipBytes, fileName));
    return { name, inflateSync: () => csv, inflate: async () => csv };
  }
  const { name, data, originalSize, expectedCrc } = deflated;
  // one output buffer of the declared size: the default 16 KiB chunks cost a concatenation and made
  // inflate ~1.5x slower. One byte more, because node allocates a further chunk whenever the last one
  // fills up. The size is checked below, and capped so a lying header cannot claim gigabytes.
  const zlibOptions = { chunkSize: Math.max(64, Math.min(originalSize + 1, MAX_INFLATE_CHUNK_BYTES)) };
  const checked = (csv: Uint8Array) => {
    if (csv.length !== originalSize || crc32(csv) !== expectedCrc)
      throw new CorruptArchiveError(
        fileName,
        `${name} inflates to ${csv.length} bytes with a wrong size or CRC-32`,
      );
    return csv;
  };
  return {
    name,
    inflateSync: () => checked(asCorrupt(fileName, () => inflateRawSync(data, zlibOptions))),
    inflate: async () =>
      checked(
        await inflateRawAsync(data, zlibOptions).catch((error: unknown) => {
          throw corruption(fileName, error);
        }),
      ),
  };
}

/** Runs `read`, reporting any failure as the archive being corrupt. */
function asCorrupt<T>(fileName: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw corruption(fileName, error);
  }
}

function corruption(fileName: string, error: unknown): CorruptArchiveError {
  if (error instanceof CorruptArchiveError) return error;
  return new CorruptArchiveError(fileName, error instanceof Error ? error.message : String(error));
}

function hasEndOfCentralDirectory(view: DataView): boolean {
  const earliest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= earliest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return true;
  }
  return false;
}

/** The zip's only entry when it is a deflated CSV with its sizes in the local header, else undefined. */
function singleDeflatedEntry(
  zipBytes: Uint8Array,
  view: DataView,
): { name: string; data: Uint8Array; originalSize: number; expectedCrc: number } | undefined {
  if (view.byteLength < 30 || view.getUint32(0, true) !== LOCAL_FILE_HEADER) return undefined;
  const flags = view.getUint16(6, true);
  const method = view.getUint16(8, true);
  const expectedCrc = view.getUint32(14, true);
  const compressedSize = view.getUint32(18, true);
  const originalSize = view.getUint32(22, true);
  const nameLength = view.getUint16(26, true);
  const dataStart = 30 + nameLength + view.getUint16(28, true);
  const dataEnd = dataStart + compressedSize;
  const usesDataDescriptor = (flags & 0x08) !== 0;
  if (method !== 8 || usesDataDescriptor || compressedSize === 0xffffffff || dataEnd + 4 > view.byteLength)
    return undefined;
  if (view.getUint32(dataEnd, true) !== CENTRAL_DIRECTORY_HEADER) return undefined; // more than one entry
  const name = new TextDecoder().decode(zipBytes.subarray(30, 30 + nameLength));
  if (!name.toLowerCase().endsWith('.csv')) return undefined;
  return { name, data: zipBytes.subarray(dataStart, dataEnd), originalSize, expectedCrc };
}

function fflateSingleEntry(zipBytes: Uint8Array, fileName: string): { name: string; csv: Uint8Array } {
  const entries = unzipSync(zipBytes, { filter: (file) => file.name.toLowerCase().endsWith('.csv') });
  const names = Object.keys(entries);
  if (names.length !== 1)
    throw new CorruptArchiveError(fileName, `expected exactly one CSV inside, found ${names.length}`);
  return { name: names[0]!, csv: entries[names[0]!]! };
}
