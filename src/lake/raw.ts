/**
 * What the lake keeps under `raw/klines/<SYM>/` exactly as it came: archive zips and REST bodies, the
 * source of truth the curated partitions are checked against and rebuilt from. Every candle in the
 * lake comes from one of these objects, so every candle can be rebuilt.
 *
 * Content-addressed: the first file of a name is kept under that name; a later file of the same name
 * with other bytes (a fuller month, a corrected day) is kept beside it under the name plus its hash,
 * never refused and never overwriting the first. Which of them counts where, and over which range, is
 * what the ingest records (raw-ingests.ts) say.
 */
import { sha256Hex } from '../checksum.js';
import { parseArchiveFileName, periodRangeMs, readKlineArchiveAsync } from '../market/archive.js';
import { CorruptArchiveError } from '../market/errors.js';
import type { KlineColumns } from '../market/kline.js';
import { parseRestBodyFileName, readRestBody } from '../market/rest-body.js';
import type { ObjectStore } from '../store/object-store.js';
import { rawArchiveKey } from './layout.js';

export interface RawObject {
  key: string;
  /** The name the file came with (without the hash suffix of content addressing). */
  fileName: string;
  kind: 'archive' | 'rest';
  /** The open times the file can hold, [startMs, endMs). */
  startMs: number;
  endMs: number;
}

const HASH_SUFFIX = /\.sha256-([0-9a-f]{16})(\.(?:zip|json))$/;
/** The raw object a key names, or undefined for a key that is none (an ingest record, say). */
export function parseRawKey(symbol: string, key: string): RawObject | undefined {
  const prefix = rawArchiveKey(symbol, '');
  if (!key.startsWith(prefix) || key.slice(prefix.length).includes('/')) return undefined;
  const fileName = key.slice(prefix.length).replace(HASH_SUFFIX, '$2');
  const archive = parseArchiveFileName(fileName);
  if (archive?.symbol === symbol && fileName.endsWith('.zip'))
    return { key, fileName, kind: 'archive', ...periodRangeMs(archive.period) };
  const rest = parseRestBodyFileName(fileName);
  if (rest?.symbol !== symbol) return undefined;
  return { key, fileName, kind: 'rest', startMs: rest.startMs, endMs: rest.endMs };
}

/** The symbol's raw objects, by key. */
export async function rawObjectsOf(store: ObjectStore, symbol: string): Promise<RawObject[]> {
  const objects: RawObject[] = [];
  for (const key of await store.list(rawArchiveKey(symbol, ''))) {
    const object = parseRawKey(symbol, key);
    if (object) objects.push(object);
  }
  return objects;
}

/**
 * Keeps `bytes` in raw/ under its name, or beside the file already there when that one has other
 * bytes. Returns the key that holds these bytes, and whether this call stored them.
 */
export async function storeRawObject(
  store: ObjectStore,
  symbol: string,
  fileName: string,
  bytes: Uint8Array,
): Promise<{ key: string; stored: boolean }> {
  const plainKey = rawArchiveKey(symbol, fileName);
  if (await store.putIfAbsent(plainKey, bytes)) return { key: plainKey, stored: true };
  const existing = await store.get(plainKey);
  if (existing && sha256Hex(existing) === sha256Hex(bytes)) return { key: plainKey, stored: false };
  const dot = fileName.lastIndexOf('.');
  const hashedKey = rawArchiveKey(
    symbol,
    `${fileName.slice(0, dot)}.sha256-${sha256Hex(bytes).slice(0, 16)}${fileName.slice(dot)}`,
  );
  return { key: hashedKey, stored: await store.putIfAbsent(hashedKey, bytes) };
}

/** The candles of one raw object, through the same checks ingest applied to it. */
export async function readRawObject(
  store: ObjectStore,
  symbol: string,
  object: RawObject,
): Promise<KlineColumns> {
  const bytes = await store.get(object.key);
  if (!bytes) throw new CorruptArchiveError(object.key, 'listed in the store but gone when read');
  if (object.kind === 'archive') return readKlineArchiveAsync(symbol, bytes, { fileName: object.fileName });
  return readRestBody(symbol, bytes, object.key);
}
