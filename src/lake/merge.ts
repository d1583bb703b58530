/**
 * Merging new candles into a stored partition by open time. Pure: the writer decides from the result
 * whether the partition needs writing at all, which is what makes re-ingesting the same rows a no-op.
 */
import type { KlineColumns } from '../market/kline.js';
import { allocateColumns, KLINE_COLUMN_FIELDS } from '../market/kline-columns.js';

export interface MergeResult {
  merged: KlineColumns;
  /** Open times in `incoming` that `existing` lacked. */
  rowsAdded: number;
  /** True when the merged rows differ from `existing` (new rows or a candle with new values). */
  changed: boolean;
}

/**
 * Both inputs sorted by open time without duplicates. A candle present in both takes the incoming
 * values: a later fetch of the same minute is the more complete one (e.g. the final close of a candle
 * that was still open).
 */
export function mergeKlines(existing: KlineColumns, incoming: KlineColumns): MergeResult {
  const oldTimes = existing.openTimeMs;
  const newTimes = incoming.openTimeMs;
  // pass 1: the size of the union and whether anything changes
  let union = 0;
  let rowsAdded = 0;
  let valuesChanged = false;
  for (let i = 0, j = 0; i < oldTimes.length || j < newTimes.length; union++) {
    if (j >= newTimes.length || (i < oldTimes.length && oldTimes[i]! < newTimes[j]!)) i++;
    else if (i >= oldTimes.length || newTimes[j]! < oldTimes[i]!) {
      rowsAdded++;
      j++;
    } else {
      if (!valuesChanged) valuesChanged = !sameRow(existing, i, incoming, j);
      i++;
      j++;
    }
  }
  if (rowsAdded === 0 && !valuesChanged) return { merged: existing, rowsAdded: 0, changed: false };

  // pass 2: fill the union, taking the incoming row where both have the minute
  const merged = allocateColumns(existing.symbol, union);
  for (let i = 0, j = 0, row = 0; row < union; row++) {
    const takeOld = j >= newTimes.length || (i < oldTimes.length && oldTimes[i]! < newTimes[j]!);
    const source = takeOld ? existing : incoming;
    const index = takeOld ? i : j;
    for (const field of KLINE_COLUMN_FIELDS) merged[field][row] = source[field][index]!;
    if (takeOld) i++;
    else {
      if (i < oldTimes.length && oldTimes[i] === newTimes[j]) i++;
      j++;
    }
  }
  return { merged, rowsAdded, changed: true };
}

function sameRow(a: KlineColumns, i: number, b: KlineColumns, j: number): boolean {
  for (const field of KLINE_COLUMN_FIELDS) {
    if (!Object.is(a[field][i], b[field][j])) return false;
  }
  return true;
}
