/**
 * What the lake holds per symbol: candle count, first and last open time and the minutes missing in
 * between. Computed from partition footers (row count and open_time min/max), not from the pages.
 */
import type { ObjectStore } from '../store/object-store.js';
import { MINUTE_MS } from '../time.js';
import {
  CURATED_KLINES_PREFIX,
  partitionStartFromKey,
  symbolPartitionsPrefix,
  symbolsInKeys,
} from './layout.js';
import { parquetPartitionStats } from './parquet.js';
import { mapWithConcurrency } from './pool.js';

export interface SymbolSummary {
  rows: number;
  /** Open time of the first candle, UTC epoch ms. */
  first: number;
  /** Open time of the last candle, UTC epoch ms. */
  last: number;
  /** Minutes between first and last without a candle. */
  missing: number;
}

export interface LakeSummary {
  symbols: Record<string, SymbolSummary>;
}

/** Summarises every symbol in the lake, or only `symbols` (those without data are left out). */
export async function summariseLake(store: ObjectStore, symbols?: readonly string[]): Promise<LakeSummary> {
  const keys = (await store.list(CURATED_KLINES_PREFIX)).filter(
    (key) => partitionStartFromKey(key) !== undefined,
  );
  const wanted = symbols
    ? symbolsInKeys(keys).filter((symbol) => symbols.includes(symbol))
    : symbolsInKeys(keys);
  const summary: LakeSummary = { symbols: {} };
  for (const symbol of wanted) {
    const prefix = symbolPartitionsPrefix(symbol);
    const stats = await mapWithConcurrency(
      keys.filter((key) => key.startsWith(prefix)),
      16,
      async (key) => {
        const bytes = await store.get(key);
        return bytes ? parquetPartitionStats(bytes, key) : undefined;
      },
    );
    let rows = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const partition of stats) {
      if (!partition || partition.rows === 0) continue;
      rows += partition.rows;
      first = Math.min(first, partition.firstOpenTimeMs);
      last = Math.max(last, partition.lastOpenTimeMs);
    }
    if (rows > 0)
      summary.symbols[symbol] = { rows, first, last, missing: (last - first) / MINUTE_MS + 1 - rows };
  }
  return summary;
}
