/**
 * What the lake holds per symbol: candle count, first and last open time and the minutes missing in
 * between, from the watermarks' per-partition stats. A run that failed before committing its watermark
 * is not counted until a re-run completes it. Every partition's Parquet footer is read as well (not
 * its rows), so a summary never calls a lake healthy whose partitions cannot be read: those, and
 * partitions the watermark claims but the store lacks, come back as `warnings`; symbols holding both
 * synthetic and real candles (only ever ingested with mixed sources allowed) as `mixedSources`.
 */
import type { ObjectStore } from '../store/object-store.js';
import { MINUTE_MS } from '../time.js';
import { WATERMARKS_PREFIX } from '../contracts/keys.js';
import { symbolOfWatermarkKey } from './layout.js';
import { mapWithConcurrency } from './pool.js';
import { parquetFooterProblem } from './parquet.js';
import { mixesOrigins, type ShownSource, type SourceKind } from '../market/source-kind.js';
import { readWatermark, watermarkSources, type Watermark } from './watermark.js';
import { storedPartitions } from './watermark-rebuild.js';

export interface SymbolSummary {
  rows: number;
  /** Open time of the first candle, UTC epoch ms. */
  first: number;
  /** Open time of the last candle, UTC epoch ms. */
  last: number;
  /** Minutes between first and last without a candle. */
  missing: number;
  /** Where its candles came from; `unknown` for partitions written before sources were recorded. */
  sources: ShownSource[];
}

export interface LakeSummary {
  symbols: Record<string, SymbolSummary>;
  /** Partitions that cannot be read or are missing; absent when there are none. */
  warnings?: string[];
  /** Symbols holding synthetic and real candles, with their kinds (as in `data verify`); absent when none. */
  mixedSources?: Record<string, SourceKind[]>;
}

/** Summarises every symbol in the lake, or only `symbols` (those without data are left out). */
export async function summariseLake(store: ObjectStore, symbols?: readonly string[]): Promise<LakeSummary> {
  const inLake = (await store.list(WATERMARKS_PREFIX))
    .map(symbolOfWatermarkKey)
    .filter((symbol) => symbol !== undefined);
  const wanted = symbols ? inLake.filter((symbol) => symbols.includes(symbol)) : inLake;
  const watermarks = await mapWithConcurrency(wanted, 16, (symbol) => readWatermark(store, symbol));
  const summary: LakeSummary = { symbols: {} };
  const warnings = (
    await mapWithConcurrency(wanted, 4, (symbol, index) =>
      partitionWarnings(store, symbol, watermarks[index]),
    )
  ).flat();
  if (warnings.length > 0) summary.warnings = warnings;
  for (const watermark of watermarks) {
    const rows = Object.values(watermark?.partitions ?? {}).reduce((sum, stats) => sum + stats.rows, 0);
    if (!watermark || rows === 0) continue;
    const { firstOpenTimeMs: first, lastOpenTimeMs: last } = watermark;
    const { kinds, unknownPartitions } = watermarkSources(watermark);
    const sources: ShownSource[] = unknownPartitions > 0 ? [...kinds, 'unknown'] : kinds;
    summary.symbols[watermark.symbol] = {
      rows,
      first,
      last,
      missing: (last - first) / MINUTE_MS + 1 - rows,
      sources,
    };
    if (mixesOrigins(kinds)) summary.mixedSources = { ...summary.mixedSources, [watermark.symbol]: kinds };
  }
  return summary;
}

/** Stored partitions whose footer cannot be read, and partitions the watermark claims but the store lacks. */
async function partitionWarnings(
  store: ObjectStore,
  symbol: string,
  watermark: Watermark | undefined,
): Promise<string[]> {
  const warnings: string[] = [];
  const stored = await storedPartitions(store, symbol);
  for (const [id, key] of stored) {
    const bytes = await store.get(key);
    const problem = bytes ? parquetFooterProblem(bytes) : 'gone while listed';
    if (problem !== undefined) warnings.push(`${key} cannot be read (${problem})`);
    else if (watermark && !watermark.partitions[id])
      warnings.push(`${key} is stored but not in ${symbol}'s watermark`);
  }
  for (const id of Object.keys(watermark?.partitions ?? {})) {
    if (!stored.has(id)) warnings.push(`${symbol} ${id} is in the watermark but its partition is missing`);
  }
  return warnings;
}
