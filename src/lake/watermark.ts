/**
 * The per-symbol watermark: the open-time range the lake holds for a symbol. Written only after the
 * partitions it covers, so a watermark never claims data a reader cannot find; ingest resumes from it.
 */
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { watermarkKey } from './layout.js';
import { Alpha15Error } from '../errors.js';

const watermarkSchema = z.object({
  symbol: z.string(),
  firstOpenTimeMs: z.number().int(),
  lastOpenTimeMs: z.number().int(),
});
export type Watermark = z.infer<typeof watermarkSchema>;

export class CorruptWatermarkError extends Alpha15Error {}

export async function readWatermark(store: ObjectStore, symbol: string): Promise<Watermark | undefined> {
  const key = watermarkKey(symbol);
  const bytes = await store.get(key);
  if (!bytes) return undefined;
  let parsed;
  try {
    parsed = watermarkSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw new CorruptWatermarkError(
      `watermark ${key} is not JSON`,
      `delete ${key}; the next ingest rebuilds it`,
      { cause: error },
    );
  }
  if (!parsed.success) {
    throw new CorruptWatermarkError(
      `watermark ${key} is malformed: ${parsed.error.issues[0]?.message}`,
      `delete ${key}; the next ingest rebuilds it`,
    );
  }
  return parsed.data;
}

/** Widens the stored range to include [firstOpenTimeMs, lastOpenTimeMs]; writes only when it grows. */
export async function extendWatermark(
  store: ObjectStore,
  symbol: string,
  firstOpenTimeMs: number,
  lastOpenTimeMs: number,
): Promise<Watermark> {
  const current = await readWatermark(store, symbol);
  const next: Watermark = {
    symbol,
    firstOpenTimeMs: Math.min(current?.firstOpenTimeMs ?? firstOpenTimeMs, firstOpenTimeMs),
    lastOpenTimeMs: Math.max(current?.lastOpenTimeMs ?? lastOpenTimeMs, lastOpenTimeMs),
  };
  if (current?.firstOpenTimeMs !== next.firstOpenTimeMs || current?.lastOpenTimeMs !== next.lastOpenTimeMs) {
    await store.put(watermarkKey(symbol), `${JSON.stringify(next)}\n`);
  }
  return next;
}
