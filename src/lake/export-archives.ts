/**
 * A slice of the lake written back out in the data site's archive format, so the replay server can
 * serve whatever was ingested (real or synthetic) exactly as it serves downloaded archives.
 */
import { putMonthlyArchives, type WrittenArchive } from '../market/synthetic-archives.js';
import type { ObjectStore } from '../store/object-store.js';
import { readSymbol } from './reader.js';

export async function exportArchives(
  lake: ObjectStore,
  symbols: readonly string[],
  fromMs: number,
  toMs: number,
  destination: ObjectStore,
): Promise<WrittenArchive[]> {
  const written: WrittenArchive[] = [];
  for (const symbol of symbols) {
    written.push(...(await putMonthlyArchives(destination, await readSymbol(lake, symbol, fromMs, toMs))));
  }
  return written;
}
