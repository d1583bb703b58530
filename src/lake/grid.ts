/**
 * The gap-aware 1-minute grid. Candles are copied onto the grid in bulk, one contiguous run at a time;
 * a minute without a candle keeps present = 0 and NaN in every value, so no price is ever invented.
 */
import { KLINE_VALUE_FIELDS, type KlineColumns } from '../market/kline.js';
import { lowerBound } from '../market/kline-columns.js';
import { Alpha15Error } from '../errors.js';
import { MINUTE_MS } from '../time.js';
import type { MarketFrame, SymbolColumns } from './frame.js';

export class InvalidGridRangeError extends Alpha15Error {
  readonly code = 'INVALID_GRID_RANGE';
}

export interface GridSpec {
  startTimeMs: number;
  length: number;
}

/** The minutes whose open time lies in [fromMs, toMs): the first starts at or after fromMs. */
export function gridSpec(fromMs: number, toMs: number): GridSpec {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw new InvalidGridRangeError(
      `invalid time range [${fromMs}, ${toMs})`,
      'give a start before the end, both UTC',
      { data: { reason: 'range', fromMs, toMs } },
    );
  }
  const startTimeMs = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS;
  return { startTimeMs, length: Math.max(0, Math.ceil((toMs - startTimeMs) / MINUTE_MS)) };
}

/** Grid columns with no candle yet: every value NaN, every minute absent. */
export function emptySymbolColumns(length: number): SymbolColumns {
  const columns = { present: new Uint8Array(length) } as SymbolColumns;
  for (const field of KLINE_VALUE_FIELDS) columns[field] = new Float64Array(length).fill(Number.NaN);
  return columns;
}

/**
 * Copies the candles of `columns` that fall on the grid into `target`, a run of consecutive minutes
 * at a time with TypedArray.set (a month without gaps is one copy per field).
 */
export function placeOnGrid(target: SymbolColumns, grid: GridSpec, columns: KlineColumns): void {
  const times = columns.openTimeMs;
  const endTimeMs = grid.startTimeMs + grid.length * MINUTE_MS;
  const last = lowerBound(times, endTimeMs);
  for (let row = lowerBound(times, grid.startTimeMs); row < last;) {
    const firstTimeMs = times[row]!;
    const offsetMs = firstTimeMs - grid.startTimeMs;
    if (offsetMs % MINUTE_MS !== 0) {
      row++; // not a minute boundary: no slot on a 1m grid (the archive parser rejects these already)
      continue;
    }
    let runEnd = row + 1;
    while (runEnd < last && times[runEnd] === firstTimeMs + (runEnd - row) * MINUTE_MS) runEnd++;
    const slot = offsetMs / MINUTE_MS;
    for (const field of KLINE_VALUE_FIELDS) target[field].set(columns[field].subarray(row, runEnd), slot);
    target.present.fill(1, slot, slot + (runEnd - row));
    row = runEnd;
  }
}

/** Aligns symbols (one KlineColumns each) on the grid of [fromMs, toMs). */
export function alignToGrid(columnsList: readonly KlineColumns[], fromMs: number, toMs: number): MarketFrame {
  const grid = gridSpec(fromMs, toMs);
  const frame: MarketFrame = { symbols: [], startTimeMs: grid.startTimeMs, length: grid.length, columns: {} };
  for (const columns of columnsList) {
    if (frame.columns[columns.symbol])
      throw new InvalidGridRangeError(`symbol ${columns.symbol} given twice`, 'pass each symbol once');
    const target = emptySymbolColumns(grid.length);
    placeOnGrid(target, grid, columns);
    frame.symbols.push(columns.symbol);
    frame.columns[columns.symbol] = target;
  }
  return frame;
}

export interface GapStats {
  /** Minutes with a real candle. */
  rows: number;
  /** Minutes without one: on a frame, across its whole range; for columns, between first and last candle. */
  missing: number;
  longestGapMinutes: number;
}

export function gapReport(input: MarketFrame | readonly KlineColumns[]): Record<string, GapStats> {
  const report: Record<string, GapStats> = {};
  if (isFrame(input)) {
    for (const symbol of input.symbols) report[symbol] = presentGaps(input.columns[symbol]!.present);
  } else {
    for (const columns of input) report[columns.symbol] = timeGaps(columns.openTimeMs);
  }
  return report;
}

function isFrame(input: MarketFrame | readonly KlineColumns[]): input is MarketFrame {
  return !Array.isArray(input);
}

function presentGaps(present: Uint8Array): GapStats {
  let rows = 0;
  let run = 0;
  let longest = 0;
  for (let i = 0; i < present.length; i++) {
    if (present[i]) {
      rows++;
      run = 0;
    } else if (++run > longest) longest = run;
  }
  return { rows, missing: present.length - rows, longestGapMinutes: longest };
}

function timeGaps(openTimeMs: Float64Array): GapStats {
  const rows = openTimeMs.length;
  if (rows === 0) return { rows: 0, missing: 0, longestGapMinutes: 0 };
  let longest = 0;
  for (let i = 1; i < rows; i++)
    longest = Math.max(longest, (openTimeMs[i]! - openTimeMs[i - 1]!) / MINUTE_MS - 1);
  const span = (openTimeMs[rows - 1]! - openTimeMs[0]!) / MINUTE_MS + 1;
  return { rows, missing: span - rows, longestGapMinutes: longest };
}
