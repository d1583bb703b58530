/**
 * Ingest records: which range of which raw object an ingest took into the lake, and whether it was
 * allowed to overwrite. A raw object holds a whole archive period even when only a day of it was asked
 * for (`--from/--to`), and an `--overwrite` ingest makes a later file win over an earlier one where
 * they differ; without these records, verify would call a partial ingest a loss and repair could not
 * tell which of two disagreeing files the lake follows.
 *
 * One small object per (raw object, range, overwrite), `raw/klines/<SYM>/ingests/<file>.<from>-<to>.json`:
 * written with putIfAbsent, so re-running an ingest adds nothing and parallel ingests of one symbol
 * never overwrite each other's records. An overwrite record is rewritten with the new time, because a
 * repeated overwrite makes that file the latest winner again.
 */
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { rawArchiveKey } from './layout.js';

const ingestRecordSchema = z.object({
  /** The raw object's key. */
  key: z.string(),
  /** The open times taken from it, [fromMs, toMs). */
  fromMs: z.number().int(),
  toMs: z.number().int(),
  /** Whether its candles replaced different stored ones (the later overwrite wins). */
  overwrite: z.boolean(),
  atMs: z.number().int(),
});
export type IngestRecord = z.infer<typeof ingestRecordSchema>;

function recordsPrefix(symbol: string): string {
  return rawArchiveKey(symbol, 'ingests/');
}

export async function writeIngestRecord(store: ObjectStore, symbol: string, record: IngestRecord) {
  const fileName = record.key.slice(record.key.lastIndexOf('/') + 1);
  const key = `${recordsPrefix(symbol)}${fileName}.${record.fromMs}-${record.toMs}${record.overwrite ? '.overwrite' : ''}.json`;
  const body = `${JSON.stringify(record)}\n`;
  if (record.overwrite) await store.put(key, body);
  else await store.putIfAbsent(key, body);
}

/**
 * The symbol's ingest records by raw key. A record that cannot be read is left out: its raw object
 * then counts whole, as one ingested before records existed does.
 */
export async function ingestRecordsOf(
  store: ObjectStore,
  symbol: string,
): Promise<Map<string, IngestRecord[]>> {
  const records = new Map<string, IngestRecord[]>();
  for (const key of await store.list(recordsPrefix(symbol))) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    let parsed;
    try {
      parsed = ingestRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    records.set(parsed.data.key, [...(records.get(parsed.data.key) ?? []), parsed.data]);
  }
  return records;
}
