/**
 * Merging new candles into a stored partition by open time. Pure: the writer decides from the result
 * whether the partition needs writing at all, which is what makes re-ingesting the same rows a no-op.
 *
 * History is immutable by default: a minute the partition already holds must come back with the same
 * values. A candle Binance printed does not change, so a different one means the source is wrong (a
 * mislabelled file, a bad mirror) or the lake is, and silently taking either side would hide it.
 */
import { Alpha15Error } from '../errors.js';
import type { KlineColumns } from '../market/kline.js';
import {
  allocateColumns,
  differingField,
  KLINE_COLUMN_FIELDS,
  type KlineColumnField,
} from '../market/kline-columns.js';

/** One candle as plain numbers, for messages and the ingest result. */
export type KlineValues = Record<KlineColumnField, number>;

/** A stored candle that an incoming one with other values replaced (only under `overwrite`). */
export interface ReplacedKline {
  openTimeMs: number;
  stored: KlineValues;
  incoming: KlineValues;
}

export interface MergeOptions {
  /** Let incoming rows replace stored rows with other values (recorded in `replaced`). */
  overwrite?: boolean;
}

export interface MergeResult {
  merged: KlineColumns;
  /** Open times in `incoming` that `existing` lacked. */
  rowsAdded: number;
  /** Stored candles replaced by different incoming ones (empty unless `overwrite`). */
  replaced: ReplacedKline[];
  /** True when the merged rows differ from `existing`. */
  changed: boolean;
}

/** An incoming candle disagrees with the stored one for the same minute. */
export class KlineConflictError extends Alpha15Error {
  readonly code = 'KLINE_CONFLICT';
  override readonly data: {
    symbol: string;
    openTimeMs: number;
    field: string;
    stored: KlineValues;
    incoming: KlineValues;
    conflicts: number;
  };
  constructor(symbol: string, first: ReplacedKline, field: KlineColumnField, conflicts: number) {
    super(
      `${symbol} ${new Date(first.openTimeMs).toISOString()}: the lake holds ${field} ${first.stored[field]} but the source says ${first.incoming[field]}` +
        `${conflicts > 1 ? ` (and ${conflicts - 1} more conflicting minutes)` : ''}; nothing was written`,
      'stored candles are not replaced silently: check the source (right symbol and period?); ' +
        'if the source is right, ingest again allowing overwrites (the result lists every replaced candle)',
    );
    this.data = {
      symbol,
      openTimeMs: first.openTimeMs,
      field,
      stored: first.stored,
      incoming: first.incoming,
      conflicts,
    };
  }
}

/** Both inputs sorted by open time without duplicates. Throws KlineConflictError on a conflict unless `overwrite`. */
export function mergeKlines(
  existing: KlineColumns,
  incoming: KlineColumns,
  options: MergeOptions = {},
): MergeResult {
  const oldTimes = existing.openTimeMs;
  const newTimes = incoming.openTimeMs;
  // pass 1: the size of the union, and the minutes both hold with different values
  let union = 0;
  let rowsAdded = 0;
  const replaced: ReplacedKline[] = [];
  let firstField: KlineColumnField | undefined;
  for (let i = 0, j = 0; i < oldTimes.length || j < newTimes.length; union++) {
    if (j >= newTimes.length || (i < oldTimes.length && oldTimes[i]! < newTimes[j]!)) i++;
    else if (i >= oldTimes.length || newTimes[j]! < oldTimes[i]!) {
      rowsAdded++;
      j++;
    } else {
      const field = differingField(existing, i, j, incoming);
      if (field !== undefined) {
        firstField ??= field;
        replaced.push({
          openTimeMs: oldTimes[i]!,
          stored: rowValues(existing, i),
          incoming: rowValues(incoming, j),
        });
      }
      i++;
      j++;
    }
  }
  if (replaced.length > 0 && !options.overwrite)
    throw new KlineConflictError(existing.symbol, replaced[0]!, firstField!, replaced.length);
  if (rowsAdded === 0 && replaced.length === 0)
    return { merged: existing, rowsAdded: 0, replaced, changed: false };

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
  return { merged, rowsAdded, replaced, changed: true };
}

function rowValues(columns: KlineColumns, row: number): KlineValues {
  return Object.fromEntries(KLINE_COLUMN_FIELDS.map((field) => [field, columns[field][row]!])) as KlineValues;
}
