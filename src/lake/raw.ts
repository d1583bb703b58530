/**
 * The raw archives the lake keeps under `raw/klines/<SYM>/` exactly as they came: the source of truth
 * the curated partitions are checked against and rebuilt from.
 */
import { parseArchiveFileName, periodRangeMs, readKlineArchiveAsync } from '../market/archive.js';
import { CorruptArchiveError } from '../market/errors.js';
import type { KlineColumns } from '../market/kline.js';
import type { ObjectStore } from '../store/object-store.js';
import { rawArchiveKey } from './layout.js';

/** Keys of the symbol's raw archives (only names of the `<SYM>-1m-<period>.zip` form), oldest first. */
export async function rawArchiveKeysOf(store: ObjectStore, symbol: string): Promise<string[]> {
  const keys = await store.list(rawArchiveKey(symbol, ''));
  return keys.filter((key) => parseArchiveFileName(fileNameOf(key))?.symbol === symbol);
}

/** The candles of one raw archive, through the same checks ingest applied to it. */
export async function readRawArchive(store: ObjectStore, symbol: string, key: string): Promise<KlineColumns> {
  const bytes = await store.get(key);
  if (!bytes) throw new CorruptArchiveError(key, 'listed in the store but gone when read');
  return readKlineArchiveAsync(symbol, bytes, { fileName: fileNameOf(key) });
}

/** Raw archive keys whose period overlaps [fromMs, toMs). */
export function rawKeysOverlapping(keys: readonly string[], fromMs: number, toMs: number): string[] {
  return keys.filter((key) => {
    const info = parseArchiveFileName(fileNameOf(key));
    if (!info) return false;
    const { startMs, endMs } = periodRangeMs(info.period);
    return startMs < toMs && endMs > fromMs;
  });
}

function fileNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
