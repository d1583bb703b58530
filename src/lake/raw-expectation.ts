/**
 * The candles raw/ says a month of the lake must hold: every raw object overlapping the month, each
 * over the ranges its ingest records name (the whole object when it has none), folded in the order
 * the ingests decided. Plain ingests must agree wherever they overlap; an `--overwrite` ingest wins
 * over everything before it. `data verify` compares the curated partition with this and `data repair`
 * rebuilds the partition from it, so the two can never disagree about what the lake should hold.
 */
import { Alpha15Error } from '../errors.js';
import type { KlineColumns } from '../market/kline.js';
import { allocateColumns, lowerBound, sliceColumns } from '../market/kline-columns.js';
import type { ObjectStore } from '../store/object-store.js';
import { KlineConflictError, mergeKlines } from './merge.js';
import { readRawObject, type RawObject } from './raw.js';
import type { IngestRecord } from './raw-ingests.js';

export interface RawExpectation {
  /** The candles of the month raw/ holds, as the lake must hold them. */
  columns: KlineColumns;
  /** Raw objects of the month that cannot be read (their candles are not in `columns`). */
  unreadable: { key: string; message: string }[];
  /** Two plain ingests disagree on a minute and no overwrite settled it: raw/ cannot decide. */
  conflict?: KlineConflictError;
  /** The raw objects that contributed. */
  keys: string[];
}

interface Layer {
  object: RawObject;
  fromMs: number;
  toMs: number;
  overwrite: boolean;
  atMs: number;
}

export async function rawExpectation(
  store: ObjectStore,
  symbol: string,
  month: { startMs: number; endMs: number },
  objects: readonly RawObject[],
  records: ReadonlyMap<string, readonly IngestRecord[]>,
): Promise<RawExpectation> {
  const layers: Layer[] = [];
  for (const object of objects) {
    const taken = records.get(object.key) ?? [
      { fromMs: object.startMs, toMs: object.endMs, overwrite: false, atMs: 0 },
    ];
    for (const { fromMs, toMs, overwrite, atMs } of taken) {
      const clipped = { fromMs: Math.max(fromMs, month.startMs), toMs: Math.min(toMs, month.endMs) };
      if (clipped.fromMs < clipped.toMs) layers.push({ object, ...clipped, overwrite, atMs });
    }
  }
  // plain layers first (their order does not matter: they must agree), then overwrites oldest first
  layers.sort((a, b) => Number(a.overwrite) - Number(b.overwrite) || (a.overwrite ? a.atMs - b.atMs : 0));

  const result: RawExpectation = { columns: allocateColumns(symbol, 0), unreadable: [], keys: [] };
  const read = new Map<string, KlineColumns | undefined>();
  for (const layer of layers) {
    const { key } = layer.object;
    if (!read.has(key)) {
      const columns = await readRawObject(store, symbol, layer.object).catch((error: unknown) => {
        if (!(error instanceof Alpha15Error)) throw error;
        result.unreadable.push({ key, message: error.message });
        return undefined;
      });
      read.set(key, columns);
      if (columns) result.keys.push(key);
    }
    const columns = read.get(key);
    if (!columns) continue;
    const times = columns.openTimeMs;
    const part = sliceColumns(columns, lowerBound(times, layer.fromMs), lowerBound(times, layer.toMs));
    try {
      result.columns = mergeKlines(result.columns, part, { overwrite: layer.overwrite }).merged;
    } catch (error) {
      if (!(error instanceof KlineConflictError)) throw error;
      result.conflict ??= error;
    }
  }
  return result;
}
