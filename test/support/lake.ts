/**
 * Helpers for lake tests: the real month's candles per symbol, fresh temp stores, and a store double
 * that counts writes or fails on the Nth put (standing in for an external store that breaks part-way).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { archiveFileName, readKlineArchive } from '../../src/market/archive.js';
import { sha256Hex } from '../../src/checksum.js';
import type { KlineColumns } from '../../src/market/kline.js';
import { LocalStore } from '../../src/store/local-store.js';
import type { Body, ObjectStore } from '../../src/store/object-store.js';
import { ARCHIVE_MONTH_DIR, requireSharedData } from './shared-data.js';

export function realMonthColumns(symbol: string): KlineColumns {
  requireSharedData();
  return readKlineArchive(
    symbol,
    readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(symbol, '2026-02'))),
  );
}

/**
 * Every file under a store's folder (temp files included) with its SHA-256: two equal snapshots mean
 * the lake is byte-identical.
 */
export async function lakeSnapshot(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    snapshot[path.relative(dir, file)] = sha256Hex(await readFile(file));
  }
  return snapshot;
}

export async function withTempStore<T>(run: (store: LocalStore, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-lake-'));
  try {
    return await run(new LocalStore(dir), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wraps a store, counting writes; with `failOnPut: n` the n-th put (1-based) throws before writing. */
export class FlakyStore implements ObjectStore {
  puts = 0;
  putKeys: string[] = [];
  constructor(
    private readonly inner: ObjectStore,
    private readonly failOnPut?: number,
  ) {}
  get url() {
    return this.inner.url;
  }
  get(key: string) {
    return this.inner.get(key);
  }
  async put(key: string, body: Body) {
    this.puts++;
    if (this.puts === this.failOnPut) throw new Error(`injected failure on put #${this.puts} (${key})`);
    this.putKeys.push(key);
    return this.inner.put(key, body);
  }
  async putIfAbsent(key: string, body: Body) {
    const created = await this.inner.putIfAbsent(key, body);
    if (created) this.putKeys.push(key);
    return created;
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}
