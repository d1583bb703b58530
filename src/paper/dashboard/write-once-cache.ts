/**
 * A read cache for the dashboard's ledger reads. Decisions and tick outcomes are created once and never
 * rewritten (putIfAbsent), so after the first read their bytes can be kept: the latest hour's are read
 * on every look. Closed trades are write-once too, but the view keeps them parsed, and their bytes
 * (120 MB at a year) would only lengthen the collector's pauses; open positions are deleted when they
 * close. Both are always read from the store.
 */
import type { Body, ObjectStore } from '../../store/object-store.js';
import { PAPER_PREFIX } from '../../contracts/keys.js';

const WRITE_ONCE_PREFIXES = ['decisions/', 'ticks/'].map((kind) => `${PAPER_PREFIX}${kind}`);

export class WriteOnceCache implements ObjectStore {
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly inner: ObjectStore) {}

  get url(): string {
    return this.inner.url;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const bytes = await this.inner.get(key);
    if (bytes && WRITE_ONCE_PREFIXES.some((prefix) => key.startsWith(prefix))) this.cache.set(key, bytes);
    return bytes;
  }

  put(key: string, body: Body): Promise<void> {
    return this.inner.put(key, body);
  }

  putIfAbsent(key: string, body: Body): Promise<boolean> {
    return this.inner.putIfAbsent(key, body);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    this.cache.delete(key);
    return this.inner.delete(key);
  }
}
