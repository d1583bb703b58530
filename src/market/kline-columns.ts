/**
 * Conversions between per-row `Kline` objects (small REST bodies) and `KlineColumns` (the bulk form),
 * plus the column operations the market sources share: allocate, slice, concatenate, sort + dedupe.
 */
import { MINUTE_MS } from '../time.js';
import { KLINE_VALUE_FIELDS, type Kline, type KlineColumns } from './kline.js';

/** Every column of `KlineColumns`, open time first. */
export const KLINE_COLUMN_FIELDS = ['openTimeMs', ...KLINE_VALUE_FIELDS] as const;
export type KlineColumnField = (typeof KLINE_COLUMN_FIELDS)[number];

export function allocateColumns(symbol: string, rowCount: number): KlineColumns {
  const columns = { symbol } as KlineColumns;
  for (const field of KLINE_COLUMN_FIELDS) columns[field] = new Float64Array(rowCount);
  return columns;
}

/** Rows [start, end) as views on the same buffers (no copy). */
export function sliceColumns(columns: KlineColumns, start: number, end: number): KlineColumns {
  const sliced = { symbol: columns.symbol } as KlineColumns;
  for (const field of KLINE_COLUMN_FIELDS) sliced[field] = columns[field].subarray(start, end);
  return sliced;
}

export function concatColumns(
  symbol: string,
  parts: readonly KlineColumns[],
  onConflict?: DuplicateConflict,
): KlineColumns {
  const rowCount = parts.reduce((sum, part) => sum + part.openTimeMs.length, 0);
  const joined = allocateColumns(symbol, rowCount);
  let offset = 0;
  for (const part of parts) {
    for (const field of KLINE_COLUMN_FIELDS) joined[field].set(part[field], offset);
    offset += part.openTimeMs.length;
  }
  return normaliseColumns(joined, onConflict);
}

/** Called for two rows of `columns` with one open time and different values; it throws to reject the input. */
export type DuplicateConflict = (
  columns: KlineColumns,
  earlierRow: number,
  laterRow: number,
  field: KlineColumnField,
) => never;

/**
 * Sorts by open time and drops duplicate open times. Without `onConflict`, the LAST occurrence wins: a
 * later REST response for the same minute is the more complete one (the final close of a candle that
 * was still forming). With it, duplicates must agree field for field, as they do in any file Binance
 * publishes: identical rows collapse into one, and the first disagreement goes to `onConflict`.
 * Returns the input untouched when it already is strictly increasing, the common case for archives
 * and REST pages.
 */
export function normaliseColumns(columns: KlineColumns, onConflict?: DuplicateConflict): KlineColumns {
  const times = columns.openTimeMs;
  let ordered = true;
  for (let i = 1; i < times.length && ordered; i++) ordered = times[i - 1]! < times[i]!;
  if (ordered) return columns;

  // stable sort of row indices, so "last occurrence" keeps its meaning among equal open times
  const order = Array.from(times.keys()).sort((a, b) => times[a]! - times[b]! || a - b);
  const kept: number[] = [];
  for (const row of order) {
    const previous = kept[kept.length - 1];
    if (previous !== undefined && times[previous] === times[row]) {
      if (onConflict) {
        const field = differingField(columns, previous, row);
        if (field !== undefined) onConflict(columns, previous, row, field);
      }
      kept[kept.length - 1] = row;
    } else kept.push(row);
  }
  const result = allocateColumns(columns.symbol, kept.length);
  for (const field of KLINE_COLUMN_FIELDS) {
    const source = columns[field];
    const target = result[field];
    for (let i = 0; i < kept.length; i++) target[i] = source[kept[i]!]!;
  }
  return result;
}

/** The first field in which two rows differ (Object.is: NaN equals NaN, 0 and -0 differ), or undefined. */
export function differingField(
  columns: KlineColumns,
  row: number,
  otherRow: number,
  other: KlineColumns = columns,
): KlineColumnField | undefined {
  return KLINE_COLUMN_FIELDS.find((field) => !Object.is(columns[field][row], other[field][otherRow]));
}

export function klinesToColumns(symbol: string, klines: readonly Kline[]): KlineColumns {
  const columns = allocateColumns(symbol, klines.length);
  klines.forEach((kline, row) => {
    columns.openTimeMs[row] = kline.openTimeMs;
    columns.trades[row] = kline.trades;
    for (const field of KLINE_VALUE_FIELDS) {
      if (field !== 'trades') columns[field][row] = Number(kline[field]);
    }
  });
  return normaliseColumns(columns);
}

/**
 * Rows [start, end) back as Binance-shaped klines, for the replay server. Numbers print in their
 * shortest exact form ("0.104" rather than Binance's "0.10400000"); parsing gives the same value.
 */
export function columnsToKlines(columns: KlineColumns, start = 0, end = columns.openTimeMs.length): Kline[] {
  const klines: Kline[] = [];
  for (let row = start; row < end; row++) {
    const openTimeMs = columns.openTimeMs[row]!;
    klines.push({
      openTimeMs,
      open: formatDecimal(columns.open[row]!),
      high: formatDecimal(columns.high[row]!),
      low: formatDecimal(columns.low[row]!),
      close: formatDecimal(columns.close[row]!),
      volume: formatDecimal(columns.volume[row]!),
      closeTimeMs: openTimeMs + MINUTE_MS - 1,
      quoteVolume: formatDecimal(columns.quoteVolume[row]!),
      trades: columns.trades[row]!,
      takerBuyBaseVolume: formatDecimal(columns.takerBuyBaseVolume[row]!),
      takerBuyQuoteVolume: formatDecimal(columns.takerBuyQuoteVolume[row]!),
      ignore: '0',
    });
  }
  return klines;
}

/**
 * A number as a plain decimal string, the shortest one that parses back to the same double. JS prints
 * values below 1e-6 in exponent form ("1.5e-7"), which Binance never sends, so the exponent is
 * expanded by moving the decimal point.
 */
export function formatDecimal(value: number): string {
  const shortest = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (!match) return shortest;
  const [, sign, lead, fraction = '', exponentText] = match;
  const digits = lead! + fraction;
  const exponent = Number(exponentText);
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  return `${sign}${digits.padEnd(exponent + 1, '0')}`;
}

/** Index of the first row whose open time is >= timeMs (binary search; columns are sorted). */
export function lowerBound(openTimeMs: Float64Array, timeMs: number): number {
  let low = 0;
  let high = openTimeMs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (openTimeMs[mid]! < timeMs) low = mid + 1;
    else high = mid;
  }
  return low;
}
