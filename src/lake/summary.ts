/**
 * What the lake holds per symbol: candle count, first and last open time and the minutes missing in
 * between, from the watermarks' per-partition stats (no partition is read). A run that failed before
 * committing its watermark is not counted until a re-run completes it.
 */
import type { ObjectStore } from '../store/object-store.js';
import { MINUTE_MS } from '../time.js';
import { WATERMARKS_PREFIX } from '../contracts/keys.js';
import { symbolOfWatermarkKey } from './layout.js';
import { mapWithConcurrency } from './pool.js';
import { readWatermark } from './watermark.js';

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
  const inLake = (await store.list(WATERMARKS_PREFIX))
    .map(symbolOfWatermarkKey)
    .filter((symbol) => symbol !== undefined);
  const wanted = symbols ? inLake.filter((symbol) => symbols.includes(symbol)) : inLake;
  const watermarks = await mapWithConcurrency(wanted, 16, (symbol) => readWatermark(store, symbol));
  const summary: LakeSummary = { symbols: {} };
  for (const watermark of watermarks) {
    const rows = Object.values(watermark?.partitions ?? {}).reduce((sum, stats) => sum + stats.rows, 0);
    if (!watermark || rows === 0) continue;
    const { firstOpenTimeMs: first, lastOpenTimeMs: last } = watermark;
    summary.symbols[watermark.symbol] = { rows, first, last, missing: (last - first) / MINUTE_MS + 1 - rows };
  }
  return summary;
}
