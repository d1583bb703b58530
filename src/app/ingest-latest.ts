/**
 * One scheduled ingestion run: for every symbol, ask the source for [from, scheduled minute) and merge
 * it into the lake. `from` re-covers the last `lookbackMinutes` (late or corrected candles, short gaps)
 * and reaches back to the symbol's watermark when a longer outage left a hole, up to `maxBackfillMinutes`
 * so one run stays inside the Lambda timeout (the next run continues from the new watermark). A run that
 * added rows ends with one retrain request, after all its partitions (the trigger never sees partitions).
 */
import { ingest, type SymbolIngestResult } from './ingest.js';
import { requestRetrainForNewData } from './request-retrain.js';
import { readWatermark } from '../lake/watermark.js';
import type { KlineSource } from '../market/source.js';
import type { ObjectStore } from '../store/object-store.js';
import { floorToMinute, MINUTE_MS } from '../time.js';

export interface IngestLatestDeps {
  store: ObjectStore;
  source: KlineSource;
  symbols: readonly string[];
  lookbackMinutes: number;
  maxBackfillMinutes: number;
}

export interface IngestLatestResult {
  toMs: number;
  symbols: Record<string, SymbolIngestResult>;
  rowsAdded: number;
  /** The retrain request written after the partitions, when the run added rows. */
  retrainRequestKey?: string;
}

/** The first minute to request: the earlier of the lookback and the minute after the watermark, within the cap. */
export function ingestFromMs(
  toMs: number,
  watermarkLastOpenMs: number | undefined,
  lookbackMinutes: number,
  maxBackfillMinutes: number,
): number {
  const lookbackFromMs = toMs - lookbackMinutes * MINUTE_MS;
  const afterWatermarkMs =
    watermarkLastOpenMs === undefined ? lookbackFromMs : watermarkLastOpenMs + MINUTE_MS;
  return Math.max(Math.min(lookbackFromMs, afterWatermarkMs), toMs - maxBackfillMinutes * MINUTE_MS);
}

export async function ingestLatest(
  scheduledTimeMs: number,
  deps: IngestLatestDeps,
): Promise<IngestLatestResult> {
  // the scheduled minute is still open: its candle is not final yet
  const toMs = floorToMinute(scheduledTimeMs);
  const result: IngestLatestResult = { toMs, symbols: {}, rowsAdded: 0 };
  for (const symbol of deps.symbols) {
    const watermark = await readWatermark(deps.store, symbol);
    const fromMs = ingestFromMs(
      toMs,
      watermark?.lastOpenTimeMs,
      deps.lookbackMinutes,
      deps.maxBackfillMinutes,
    );
    const ingested = await ingest({
      store: deps.store,
      source: deps.source,
      symbols: [symbol],
      fromMs,
      toMs,
    });
    const symbolResult = ingested.symbols[symbol]!;
    result.symbols[symbol] = symbolResult;
    result.rowsAdded += symbolResult.rowsAdded;
  }
  if (result.rowsAdded > 0)
    result.retrainRequestKey = await requestRetrainForNewData(deps.store, 'ingest', scheduledTimeMs);
  return result;
}
