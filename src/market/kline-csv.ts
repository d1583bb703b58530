/**
 * The Binance kline CSV parser. It reads bytes straight into Float64Arrays in one pass, with no line
 * strings and no row objects: archive ingest is benchmarked against pandas' C parser, and this loop is
 * most of its CPU time.
 */
import {
  ConflictingDuplicateKlineError,
  InvalidKlineError,
  MalformedCsvRowError,
  MixedTimestampUnitsError,
} from './errors.js';
import type { KlineColumns } from './kline.js';
import { allocateColumns, KLINE_COLUMN_FIELDS, normaliseColumns } from './kline-columns.js';
import { klineViolation } from './kline-rules.js';

const COMMA = 44;
const LF = 10;
const CR = 13;
const DOT = 46;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
/** Every field of a kline row but the last ("ignore") is a number. */
const NUMERIC_FIELDS = 11;
/** Open times above this are microseconds (ms epochs stay below 1e14 until the year 5138). */
const MICROSECOND_THRESHOLD = 1e14;
const POW10 = Float64Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);

/** The header of Binance's kline CSVs; only exactly this line is skipped as a header. */
export const KLINE_CSV_HEADER =
  'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
/** A number as Binance writes it: decimal digits, an optional fraction and exponent; no sign but minus, no hex, no spaces. */
const DECIMAL_NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
/** Open time to close time of a 1m candle, in ms: Binance's close time is the interval's last millisecond. */
const CLOSE_AFTER_OPEN_MS = 59_999;

/** Signals a bad field to the row loop, which knows the line and turns it into MalformedCsvRowError. */
class FieldError extends Error {}

/** A cursor over the CSV bytes; small methods on one class shape, so V8 inlines them into the row loop. */
class CsvCursor {
  position = 0;
  constructor(readonly bytes: Uint8Array) {}

  /**
   * The next field as a number. Fast path: [-]digits[.digits] accumulated as an exact integer mantissa
   * and divided by a power of ten, which rounds exactly like Number() while the mantissa stays below
   * 2^53 (both operands are exact doubles and division rounds correctly).
   */
  number(field: number): number {
    const bytes = this.bytes;
    const start = this.position;
    let position = start;
    const negative = bytes[position] === MINUS;
    if (negative) position++;
    let mantissa = 0;
    let digits = 0;
    let byte = bytes[position]!;
    while (byte >= ZERO && byte <= NINE) {
      mantissa = mantissa * 10 + (byte - ZERO);
      digits++;
      byte = bytes[++position]!;
    }
    let fractionDigits = 0;
    if (byte === DOT) {
      byte = bytes[++position]!;
      while (byte >= ZERO && byte <= NINE) {
        mantissa = mantissa * 10 + (byte - ZERO);
        fractionDigits++;
        byte = bytes[++position]!;
      }
    }
    this.position = position;
    const clean = byte === COMMA || byte === LF || byte === CR || position >= bytes.length;
    if (clean && digits + fractionDigits > 0 && mantissa <= Number.MAX_SAFE_INTEGER && fractionDigits < 23) {
      const value = fractionDigits === 0 ? mantissa : mantissa / POW10[fractionDigits]!;
      return negative ? -value : value;
    }
    return this.slowNumber(start, field);
  }

  /**
   * Exponent notation or more digits than a double holds: Number() reads it once the text has the form
   * of a decimal number (Number() alone also takes "0x10", "Infinity" and surrounding spaces).
   */
  private slowNumber(start: number, field: number): number {
    this.skipField();
    const text = new TextDecoder().decode(this.bytes.subarray(start, this.position));
    if (!DECIMAL_NUMBER.test(text))
      throw new FieldError(
        `field ${field + 1} is not a number in decimal notation (${JSON.stringify(text)})`,
      );
    return Number(text);
  }

  /** The "ignore" field: Binance writes 0; anything but digits (or nothing) means a damaged row. */
  ignoredField(): void {
    const start = this.position;
    this.skipField();
    for (let position = start; position < this.position; position++) {
      const byte = this.bytes[position]!;
      if (byte < ZERO || byte > NINE) {
        const text = new TextDecoder().decode(this.bytes.subarray(start, this.position));
        throw new FieldError(`field 12 ("ignore") is not a whole number (${JSON.stringify(text)})`);
      }
    }
  }

  skipField(): void {
    const bytes = this.bytes;
    let position = this.position;
    let byte = bytes[position];
    while (position < bytes.length && byte !== COMMA && byte !== LF && byte !== CR) byte = bytes[++position];
    this.position = position;
  }

  comma(fieldsRead: number): void {
    if (this.bytes[this.position] !== COMMA) throw new FieldError(`expected 12 fields, found ${fieldsRead}`);
    this.position++;
  }

  endOfLine(): void {
    const bytes = this.bytes;
    if (this.position >= bytes.length) return;
    if (bytes[this.position] === CR) this.position++;
    if (this.position >= bytes.length) return;
    if (bytes[this.position] !== LF) throw new FieldError('expected 12 fields, found more');
    this.position++;
  }

  /** Skips an empty line (e.g. the file's final newline); true when there was one. */
  blankLine(): boolean {
    const byte = this.bytes[this.position];
    if (byte !== LF && byte !== CR) return false;
    this.endOfLine();
    return true;
  }

  lineText(lineStart: number): string {
    let lineEnd = lineStart;
    while (lineEnd < this.bytes.length && this.bytes[lineEnd] !== LF && this.bytes[lineEnd] !== CR) lineEnd++;
    return new TextDecoder().decode(this.bytes.subarray(lineStart, lineEnd));
  }
}

/**
 * Parses a Binance kline CSV: with or without the header row, millisecond or microsecond timestamps
 * (detected from the first open time; every later row must use the same unit), LF or CRLF line ends.
 * Every row must pass the content rules of kline-rules.ts, and a minute repeated with different
 * values is rejected: either fails the whole file with a typed error naming the line. Rows come back
 * sorted and deduplicated by open time.
 */
export function parseKlineCsv(symbol: string, csv: Uint8Array | string, sourceName = symbol): KlineColumns {
  // one concrete Uint8Array type, so element access stays monomorphic whether a Buffer or not arrives
  const bytes =
    typeof csv === 'string'
      ? new TextEncoder().encode(csv)
      : new Uint8Array(csv.buffer, csv.byteOffset, csv.byteLength);
  const cursor = new CsvCursor(bytes);
  let lineNumber = 1;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) cursor.position = 3; // UTF-8 byte order mark
  rejectBareCarriageReturns(bytes, sourceName);
  if (cursor.lineText(cursor.position) === KLINE_CSV_HEADER) {
    cursor.position += KLINE_CSV_HEADER.length;
    cursor.endOfLine();
    lineNumber++;
  }

  // every row ends at a line feed or at the end of the text, so this bounds the row count, and is the
  // exact count for a file without blank lines. Counting with the native indexOf costs ~0.5 ms a month.
  const capacity = countLineFeeds(bytes, cursor.position) + (bytes[bytes.length - 1] === LF ? 0 : 1);
  const columns = allocateColumns(symbol, capacity);
  const {
    openTimeMs,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    trades,
    takerBuyBaseVolume,
    takerBuyQuoteVolume,
  } = columns;
  let rows = 0;
  const lineOfRow = new Int32Array(capacity); // for errors about rows found out of order
  const fields = new Float64Array(NUMERIC_FIELDS); // the current line's numbers
  let timeDivisor = 0; // 1 for ms, 1000 for µs; decided by the first row

  for (; cursor.position < bytes.length; lineNumber++) {
    if (cursor.blankLine()) continue;
    const lineStart = cursor.position;
    try {
      // one call site for number(), which V8 then inlines: eleven call sites (the row unrolled) exceed its
      // inlining budget, and the calls cost a fifth of the parse
      for (let field = 0; field < NUMERIC_FIELDS; field++) {
        if (field > 0) cursor.comma(field);
        fields[field] = cursor.number(field);
      }
      cursor.comma(NUMERIC_FIELDS);
      cursor.ignoredField();
      cursor.endOfLine();

      let openTime = fields[0]!;
      open[rows] = fields[1]!;
      high[rows] = fields[2]!;
      low[rows] = fields[3]!;
      close[rows] = fields[4]!;
      volume[rows] = fields[5]!;
      // fields[6], the close time, is checked below, not stored (always open time + 59 999 ms)
      quoteVolume[rows] = fields[7]!;
      trades[rows] = fields[8]!;
      takerBuyBaseVolume[rows] = fields[9]!;
      takerBuyQuoteVolume[rows] = fields[10]!;

      if (timeDivisor === 0) timeDivisor = openTime > MICROSECOND_THRESHOLD ? 1000 : 1;
      else if (openTime > MICROSECOND_THRESHOLD !== (timeDivisor === 1000))
        throw new MixedTimestampUnitsError(sourceName, lineNumber, timeDivisor === 1000 ? 'µs' : 'ms');
      openTime /= timeDivisor;
      const violation = klineViolation(
        openTime,
        fields[1]!,
        fields[2]!,
        fields[3]!,
        fields[4]!,
        fields[5]!,
        fields[7]!,
        fields[8]!,
        fields[9]!,
        fields[10]!,
      );
      if (violation) {
        const unit =
          violation.field === 'openTimeMs' && timeDivisor === 1000 ? ' (read as microseconds)' : '';
        throw new InvalidKlineError(
          sourceName,
          `line ${lineNumber}`,
          violation.field,
          violation.problem + unit,
        );
      }
      if (fields[6] !== fields[0]! + CLOSE_AFTER_OPEN_MS * timeDivisor + (timeDivisor - 1))
        throw new InvalidKlineError(
          sourceName,
          `line ${lineNumber}`,
          'closeTimeMs',
          `close time ${fields[6]} is not open time ${fields[0]} + ${CLOSE_AFTER_OPEN_MS * timeDivisor + (timeDivisor - 1)} (the last ${timeDivisor === 1 ? 'millisecond' : 'microsecond'} of its 1m interval)`,
        );
      openTimeMs[rows] = openTime;
      lineOfRow[rows] = lineNumber;
      rows++;
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      throw new MalformedCsvRowError(sourceName, lineNumber, cursor.lineText(lineStart), error.message);
    }
  }

  return normaliseColumns(
    rows === capacity ? columns : trimColumns(columns, rows),
    (parsed, earlier, later, field) => {
      throw new ConflictingDuplicateKlineError(
        sourceName,
        parsed.openTimeMs[earlier]!,
        `lines ${lineOfRow[earlier]} and ${lineOfRow[later]}`,
        field,
        parsed[field][earlier]!,
        parsed[field][later]!,
      );
    },
  );
}

/** The first `rows` rows in arrays of their own (copies, so the spare capacity is freed). */
function trimColumns(columns: KlineColumns, rows: number): KlineColumns {
  const trimmed = allocateColumns(columns.symbol, 0);
  for (const field of KLINE_COLUMN_FIELDS) trimmed[field] = columns[field].slice(0, rows);
  return trimmed;
}

/**
 * Classic Mac line ends (CR alone) would read as one endless line, or as a header swallowing the file:
 * name them instead. A CR is fine only right before an LF.
 */
function rejectBareCarriageReturns(bytes: Uint8Array, sourceName: string): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buffer.indexOf(CR); at !== -1; at = buffer.indexOf(CR, at + 1)) {
    if (at + 1 < buffer.length && buffer[at + 1] === LF) continue;
    if (at + 1 === buffer.length) continue; // a final CR ends the last line
    const line = countLineFeeds(bytes, 0, at) + 1;
    throw new MalformedCsvRowError(
      sourceName,
      line,
      new TextDecoder().decode(bytes.subarray(Math.max(0, at - 80), at)),
      'a line ends with a carriage return (CR) alone: the file uses CR-only line endings; Binance files end lines with LF or CRLF',
    );
  }
}

function countLineFeeds(bytes: Uint8Array, from: number, to = bytes.length): number {
  // Buffer's indexOf is memchr; Uint8Array's is a plain loop, four times slower
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (
    let position = buffer.indexOf(LF, from);
    position !== -1 && position < to;
    position = buffer.indexOf(LF, position + 1)
  )
    count++;
  return count;
}
