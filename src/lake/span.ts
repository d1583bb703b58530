/**
 * The span of minutes the lake holds for a whole universe: what training, simulation and tuning read
 * when no range is given. Answered from the watermarks alone (one small object per symbol).
 */
import { Alpha15Error } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { MINUTE_MS } from '../time.js';
import { readWatermark } from './watermark.js';

/** The store holds no candles for a symbol the run needs. */
export class NoTrainingDataError extends Alpha15Error {
  readonly code = 'NO_TRAINING_DATA';
}

/** [fromMs, toMs) that every symbol's lake watermark covers. */
async function lakeSpan(
  store: ObjectStore,
  symbols: readonly string[],
): Promise<{ fromMs: number; toMs: number }> {
  let fromMs = -Infinity;
  let toMs = Infinity;
  for (const symbol of symbols) {
    const watermark = await readWatermark(store, symbol);
    if (watermark === undefined) {
      throw new NoTrainingDataError(
        `the store ${store.url} holds no candles for ${symbol}`,
        'ingest these symbols first, or train on symbols the lake holds',
        { data: { symbol, storeUrl: store.url } },
      );
    }
    fromMs = Math.max(fromMs, watermark.firstOpenTimeMs);
    toMs = Math.min(toMs, watermark.lastOpenTimeMs + MINUTE_MS);
  }
  return { fromMs, toMs };
}

/**
 * The range a run asked for, each end it left open taken from the lake's span (the watermarks are
 * read only when one is open): how train, simulate and tune default their data range.
 */
export async function resolveLakeRange(
  store: ObjectStore,
  symbols: readonly string[],
  requested: { fromMs?: number; toMs?: number },
): Promise<{ fromMs: number; toMs: number }> {
  const { fromMs, toMs } = requested;
  if (fromMs !== undefined && toMs !== undefined) return { fromMs, toMs };
  const span = await lakeSpan(store, symbols);
  return { fromMs: fromMs ?? span.fromMs, toMs: toMs ?? span.toMs };
}
