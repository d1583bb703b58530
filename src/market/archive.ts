/**
 * Binance public-data kline archives: `<SYM>-1m-<YYYY-MM>.zip` (monthly) and `<SYM>-1m-<YYYY-MM-DD>.zip`
 * (daily), each holding one CSV of the same name. The CSV parser reads bytes straight into
 * Float64Arrays in a single pass (no line strings, no row objects): ingest speed depends on it.
 */
import { createHash } from 'node:crypto';
import { crc32, inflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { Alpha15Error } from '../errors.js';
import { ArchiveChecksumError, CorruptArchiveError, MalformedCsvRowError } from './errors.js';
import type { KlineColumns } from './kline.js';
import { allocateColumns, normaliseColumns } from './kline-columns.js';

const COMMA = 44;
const LF = 10;
const CR = 13;
const DOT = 46;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const FIELDS_PER_ROW = 12;
/** Open times above this are microseconds (ms epochs stay below 1e14 until the year 5138). */
const MICROSECOND_THRESHOLD = 1e14;
const POW10 = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);
const MINUTE_MS = 60_000;

/** CSV column index → the KlineColumns field it fills (close time and the last field are only checked). */
const COLUMN_TARGETS = [
  'openTimeMs',
  'open',
  'high',
  'low',
  'close',
  'volume',
  undefined, // close time
  'quoteVolume',
  'trades',
  'takerBuyBaseVolume',
  'takerBuyQuoteVolume',
  undefined, // "ignore"
] as const;

export type ArchivePeriod = string; // "YYYY-MM" (monthly) or "YYYY-MM-DD" (daily)

export class InvalidArchivePeriodError extends Alpha15Error {}

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

/** The inverse of `archiveFileName`; undefined for any other name. */
export function parseArchiveFileName(fileName: string): ArchiveFileInfo | undefined {
  const match = /^([A-Z0-9]+)-1m-(\d{4}-\d{2}(?:-\d{2})?)\.zip$/.exec(fileName);
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

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
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
  const { expectedSha256, fileName = `${symbol} archive` } =
    typeof options === 'string' ? { expectedSha256: options } : options;
  if (expectedSha256 !== undefined) {
    const actual = sha256Hex(zipBytes);
    if (actual !== expectedSha256.toLowerCase())
      throw new ArchiveChecksumError(fileName, expectedSha256, actual);
  }
  const { name, csv } = unzipSingleCsv(zipBytes, fileName);
  return parseKlineCsv(symbol, csv, `${fileName}:${name}`);
}

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;

/**
 * The one CSV inside an archive. Binance's zips hold a single deflated entry with its sizes in the
 * local header; for those, node's native inflate is about twice as fast as fflate's JavaScript one,
 * and ingest speed is a target. Any other layout goes through fflate. Either way a zip that lost its
 * tail (no end-of-central-directory record) is rejected: fflate alone would accept it.
 */
function unzipSingleCsv(zipBytes: Uint8Array, fileName: string): { name: string; csv: Uint8Array } {
  const view = new DataView(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength);
  if (!hasEndOfCentralDirectory(view)) {
    throw new CorruptArchiveError(
      fileName,
      `truncated or not a zip (${zipBytes.length} bytes, no end-of-central-directory record)`,
    );
  }
  try {
    return nativeSingleEntry(zipBytes, view) ?? fflateSingleEntry(zipBytes, fileName);
  } catch (error) {
    if (error instanceof CorruptArchiveError) throw error;
    throw new CorruptArchiveError(fileName, error instanceof Error ? error.message : String(error));
  }
}

function hasEndOfCentralDirectory(view: DataView): boolean {
  const earliest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= earliest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return true;
  }
  return false;
}

function nativeSingleEntry(
  zipBytes: Uint8Array,
  view: DataView,
): { name: string; csv: Uint8Array } | undefined {
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
  const csv = inflateRawSync(zipBytes.subarray(dataStart, dataEnd));
  if (csv.length !== originalSize || crc32(csv) !== expectedCrc) {
    throw new Error(`${name} inflates to ${csv.length} bytes with a wrong size or CRC-32`);
  }
  return { name, csv };
}

function fflateSingleEntry(zipBytes: Uint8Array, fileName: string): { name: string; csv: Uint8Array } {
  const entries = unzipSync(zipBytes, { filter: (file) => file.name.toLowerCase().endsWith('.csv') });
  const names = Object.keys(entries);
  if (names.length !== 1)
    throw new CorruptArchiveError(fileName, `expected exactly one CSV inside, found ${names.length}`);
  return { name: names[0]!, csv: entries[names[0]!]! };
}

/**
 * Parses a Binance kline CSV: with or without the header row, millisecond or microsecond timestamps
 * (detected once per file from the first open time), LF or CRLF line ends. Rows come back sorted and
 * deduplicated by open time.
 */
export function parseKlineCsv(symbol: string, csv: Uint8Array | string, sourceName = symbol): KlineColumns {
  const bytes = typeof csv === 'string' ? new TextEncoder().encode(csv) : csv;
  const length = bytes.length;
  let lineCount = 1;
  for (let i = 0; i < length; i++) if (bytes[i] === LF) lineCount++;

  const columns = allocateColumns(symbol, lineCount);
  const targets = COLUMN_TARGETS.map((field) => (field ? columns[field] : undefined));
  let position = 0;
  let lineNumber = 1;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) position = 3; // UTF-8 byte order mark
  if (position < length && !isDigit(bytes[position]!)) {
    // a header row: skip it
    while (position < length && bytes[position] !== LF) position++;
    position++;
    lineNumber++;
  }

  let rows = 0;
  let timeDivisor = 0; // 1 for ms, 1000 for µs; decided by the first row
  const fail = (lineStart: number, problem: string): never => {
    let lineEnd = lineStart;
    while (lineEnd < length && bytes[lineEnd] !== LF && bytes[lineEnd] !== CR) lineEnd++;
    const content = new TextDecoder().decode(bytes.subarray(lineStart, lineEnd));
    throw new MalformedCsvRowError(sourceName, lineNumber, content, problem);
  };

  for (; position < length; lineNumber++) {
    const lineStart = position;
    if (bytes[position] === LF || bytes[position] === CR) {
      // blank line (e.g. the final newline): skip it
      if (bytes[position] === CR) position++;
      if (bytes[position] === LF) position++;
      continue;
    }
    for (let field = 0; field < FIELDS_PER_ROW; field++) {
      const fieldStart = position;
      let value = Number.NaN;
      if (field === FIELDS_PER_ROW - 1) {
        while (
          position < length &&
          bytes[position] !== COMMA &&
          bytes[position] !== LF &&
          bytes[position] !== CR
        )
          position++;
      } else {
        // fast path: [-]digits[.digits] as an exact integer mantissa scaled by a power of ten, which
        // rounds exactly like Number() while the mantissa stays below 2^53
        let negative = false;
        if (bytes[position] === MINUS) {
          negative = true;
          position++;
        }
        let mantissa = 0;
        let digits = 0;
        let fractionDigits = 0;
        let seenDot = false;
        for (; position < length; position++) {
          const byte = bytes[position]!;
          if (byte >= ZERO && byte <= NINE) {
            mantissa = mantissa * 10 + (byte - ZERO);
            digits++;
            if (seenDot) fractionDigits++;
          } else if (byte === DOT && !seenDot) {
            seenDot = true;
          } else break;
        }
        const terminator = bytes[position];
        const clean = position >= length || terminator === COMMA || terminator === LF || terminator === CR;
        if (clean && digits > 0 && mantissa <= Number.MAX_SAFE_INTEGER && fractionDigits < POW10.length) {
          value = fractionDigits === 0 ? mantissa : mantissa / POW10[fractionDigits]!;
          if (negative) value = -value;
        } else {
          // rare: exponent notation or too many digits; let Number() decide, and reject non-numbers
          while (
            position < length &&
            bytes[position] !== COMMA &&
            bytes[position] !== LF &&
            bytes[position] !== CR
          )
            position++;
          const text = new TextDecoder().decode(bytes.subarray(fieldStart, position));
          value = text.trim() === '' ? Number.NaN : Number(text);
          if (Number.isNaN(value))
            fail(lineStart, `field ${field + 1} is not a number (${JSON.stringify(text)})`);
        }
      }
      const target = targets[field];
      if (target) target[rows] = value;
      if (field < FIELDS_PER_ROW - 1) {
        if (bytes[position] !== COMMA)
          fail(lineStart, `expected ${FIELDS_PER_ROW} fields, found ${field + 1}`);
        position++;
      }
    }
    if (position < length && bytes[position] !== LF && bytes[position] !== CR) {
      fail(lineStart, `expected ${FIELDS_PER_ROW} fields, found more`);
    }
    if (bytes[position] === CR) position++;
    if (bytes[position] === LF) position++;

    let openTime = columns.openTimeMs[rows]!;
    if (timeDivisor === 0) timeDivisor = openTime > MICROSECOND_THRESHOLD ? 1000 : 1;
    openTime /= timeDivisor;
    if (openTime % MINUTE_MS !== 0) {
      fail(
        lineStart,
        `open time is not on a minute boundary${timeDivisor === 1000 ? ' (read as microseconds)' : ''}`,
      );
    }
    columns.openTimeMs[rows] = openTime;
    rows++;
  }

  const trimmed = allocateColumns(symbol, 0);
  for (const key of Object.keys(trimmed) as (keyof KlineColumns)[]) {
    if (key !== 'symbol') trimmed[key] = columns[key].subarray(0, rows);
  }
  return normaliseColumns(trimmed);
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE;
}
