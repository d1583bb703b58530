/**
 * Every candle in the lake has a recoverable source (issue 25, items 1 and 2): the four scenarios that
 * lost data, and a deliberately partial ingest that verify called a loss.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { ingest } from '../../src/app/ingest.js';
import { partitionKey, rawArchiveKey, watermarkKey } from '../../src/lake/layout.js';
import { readSymbol } from '../../src/lake/reader.js';
import { repairLake } from '../../src/lake/repair.js';
import { verifyLake } from '../../src/lake/verify.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { archiveFileName } from '../../src/market/archive.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { archiveSource, binanceSource } from '../../src/market/source.js';
import { LocalStore } from '../../src/store/local-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { ARCHIVE_MONTH_DIR, REPO_ROOT, requireSharedData } from '../support/shared-data.js';

requireSharedData();
const SYMBOL = 'LINKUSDT';
const FEB_1_MS = Date.UTC(2026, 1, 1);
const FEB_10_MS = Date.UTC(2026, 1, 10);
const FEB_11_MS = Date.UTC(2026, 1, 11);
const FEB_14_MS = Date.UTC(2026, 1, 14);
const MAR_1_MS = Date.UTC(2026, 2, 1);
const MONTH_ROWS = 40_320;
const PARTITION = partitionKey(SYMBOL, FEB_1_MS);
const run = promisify(execFile);

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

const realCsvLines = () =>
  strFromU8(
    unzipSync(readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(SYMBOL, '2026-02'))))[
      `${SYMBOL}-1m-2026-02.csv`
    ]!,
  )
    .trimEnd()
    .split('\n');

/** An archive of `period` holding the real rows whose open time is in [fromMs, toMs), each passed through `edit`. */
function archiveOf(period: string, fromMs: number, toMs: number, edit = (fields: string[]) => fields) {
  const [header, ...rows] = realCsvLines();
  const kept = rows
    .map((line) => line.split(','))
    .filter((fields) => Number(fields[0]) >= fromMs && Number(fields[0]) < toMs)
    .map((fields) => edit(fields).join(','));
  const csvName = archiveFileName(SYMBOL, period).replace(/\.zip$/, '.csv');
  return {
    [archiveFileName(SYMBOL, period)]: zipSync({ [csvName]: strToU8(`${[header, ...kept].join('\n')}\n`) }),
  };
}

async function folderOf(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await tempDir('alpha15-repair-archives-');
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  return dir;
}

async function lake(): Promise<{ store: LocalStore; dir: string }> {
  const dir = await tempDir('alpha15-repair-lake-');
  return { store: new LocalStore(dir), dir };
}

const ingestFolder = async (store: LocalStore, dir: string, options: object = {}) =>
  ingest({ store, source: archiveSource(new LocalArchiveSource(dir)), symbols: [SYMBOL], ...options });

const storedRows = async (store: LocalStore) => (await readSymbol(store, SYMBOL)).openTimeMs.length;

/** Cuts the stored partition to half its bytes, as the adversarial run did. */
async function truncatePartition(dir: string) {
  const file = path.join(dir, PARTITION);
  await truncate(file, Math.floor(readFileSync(file).length / 2));
}

describe('REST rows plus a daily archive, truncated and repaired', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer({
      source: { kind: 'archives', dir: ARCHIVE_MONTH_DIR },
      symbols: [SYMBOL],
      fromMs: MAR_1_MS,
      manualClock: true,
    });
  });
  after(async () => {
    await server?.close();
  });

  /** 540 REST minutes of Feb 10 and the daily archive of Feb 11: 1,980 candles in one partition. */
  async function mixedLake() {
    const { store, dir } = await lake();
    const rest = binanceSource(new BinanceClient({ baseUrl: server.url, maxRetries: 0 }), () => MAR_1_MS);
    await ingest({
      store,
      source: rest,
      symbols: [SYMBOL],
      fromMs: FEB_10_MS,
      toMs: FEB_10_MS + 540 * MINUTE_MS,
    });
    await ingestFolder(store, await folderOf(archiveOf('2026-02-11', FEB_11_MS, FEB_11_MS + DAY_MS)), {
      fromMs: FEB_11_MS,
      toMs: FEB_11_MS + DAY_MS,
    });
    assert.equal(await storedRows(store), 1_980);
    return { store, dir };
  }

  it('raw/ keeps the REST body, and repair rebuilds all 1,980 candles', async () => {
    const { store, dir } = await mixedLake();
    const rawKeys = await store.list(rawArchiveKey(SYMBOL, ''));
    assert.ok(
      rawKeys.includes(rawArchiveKey(SYMBOL, 'LINKUSDT-1m-rest-20260210T0000-20260210T0859.json')),
      rawKeys.join(', '),
    );
    assert.deepEqual((await verifyLake(store)).problems, []);

    await truncatePartition(dir);
    const report = await repairLake(store);
    assert.deepEqual(report.unrebuilt, []);
    assert.equal(report.rebuilt[0]?.rows, 1_980);
    assert.deepEqual(report.remaining, []);
    assert.equal(await storedRows(store), 1_980);
  });

  it('without a source for the REST rows, repair writes nothing, keeps the claim and reports the loss; --accept-loss lets it go', async () => {
    const { store, dir } = await mixedLake();
    // a lake from before raw/ kept REST bodies
    for (const key of await store.list(rawArchiveKey(SYMBOL, '')))
      if (key.includes('-rest-')) await store.delete(key);
    await truncatePartition(dir);
    const truncated = readFileSync(path.join(dir, PARTITION));

    const refused = await repairLake(store);
    assert.deepEqual(
      refused.unrebuilt.map(({ partition, heldRows, recoverableRows }) => ({
        partition,
        heldRows,
        recoverableRows,
      })),
      [{ partition: '2026-02', heldRows: 1_980, recoverableRows: 1_440 }],
    );
    assert.deepEqual(readFileSync(path.join(dir, PARTITION)), truncated, 'the partition was not rewritten');
    assert.equal((await readWatermark(store, SYMBOL))?.partitions['2026-02']?.rows, 1_980);
    assert.ok(refused.remaining.some((problem) => problem.kind === 'partition-unreadable'));

    const accepted = await repairLake(store, { acceptLoss: [`${SYMBOL}/2026-02`] });
    assert.deepEqual(accepted.unrebuilt, []);
    assert.equal(await storedRows(store), 1_440);
  });
});

describe('raw/ is content-addressed', () => {
  it('a partial monthly zip (Feb 1 to 10) then the full one: both kept, repair rebuilds 40,320 rows', async () => {
    const { store, dir } = await lake();
    const partial = archiveOf('2026-02', FEB_1_MS, FEB_11_MS);
    await ingestFolder(store, await folderOf(partial));
    assert.equal(await storedRows(store), 14_400);
    await ingestFolder(store, ARCHIVE_MONTH_DIR);
    assert.equal(await storedRows(store), MONTH_ROWS);

    const rawKeys = (await store.list(rawArchiveKey(SYMBOL, ''))).filter((key) => key.endsWith('.zip'));
    assert.equal(rawKeys.length, 2, rawKeys.join(', '));
    assert.match(rawKeys.join(' '), /LINKUSDT-1m-2026-02\.sha256-[0-9a-f]{16}\.zip/);

    await truncatePartition(dir);
    const report = await repairLake(store);
    assert.deepEqual(report.unrebuilt, []);
    assert.deepEqual(report.remaining, []);
    assert.equal(await storedRows(store), MONTH_ROWS);
  });
});

describe('what cannot be rebuilt is reported', () => {
  it('a deleted raw zip and a deleted partition: repair exits 1 and the watermark keeps its claim', async () => {
    const { store, dir } = await lake();
    await ingestFolder(store, ARCHIVE_MONTH_DIR);
    await store.delete(rawArchiveKey(SYMBOL, archiveFileName(SYMBOL, '2026-02')));
    await store.delete(PARTITION);

    const cli = run(
      process.execPath,
      ['bin/alpha15.js', 'data', 'repair', '--store', `file://${dir}`, '--json'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ALPHA15_STORE: '' },
      },
    );
    const failed = (await cli.then(
      () => assert.fail('repair exited 0'),
      (error: unknown) => error,
    )) as { code: number; stdout: string };
    assert.equal(failed.code, 1);
    const body = JSON.parse(failed.stdout) as { unrebuilt: { partition: string; heldRows: number }[] };
    assert.deepEqual(
      body.unrebuilt.map(({ partition, heldRows }) => ({ partition, heldRows })),
      [{ partition: '2026-02', heldRows: MONTH_ROWS }],
    );
    assert.ok(await store.get(watermarkKey(SYMBOL)), 'the watermark is still there');
    assert.ok((await verifyLake(store)).problems.some((problem) => problem.kind === 'partition-missing'));
  });
});

describe('--overwrite records which source won', () => {
  it('a daily archive written with --overwrite over the monthly one: verify is clean and repair keeps the daily values', async () => {
    const { store, dir } = await lake();
    await ingestFolder(store, ARCHIVE_MONTH_DIR);
    const changedMinute = FEB_14_MS + 600 * MINUTE_MS;
    const daily = archiveOf('2026-02-14', FEB_14_MS, FEB_14_MS + DAY_MS, (fields) => {
      if (Number(fields[0]) === changedMinute) fields[2] = fields[4] = '99.5';
      return fields;
    });
    const result = await ingestFolder(store, await folderOf(daily), {
      fromMs: FEB_14_MS,
      toMs: FEB_14_MS + DAY_MS,
      overwrite: true,
    });
    assert.equal(result.symbols[SYMBOL]!.replaced.length, 1);
    assert.deepEqual((await verifyLake(store)).problems, []);

    await truncatePartition(dir);
    const report = await repairLake(store);
    assert.deepEqual(report.unrebuilt, []);
    assert.deepEqual(report.remaining, []);
    const columns = await readSymbol(store, SYMBOL);
    assert.equal(columns.openTimeMs.length, MONTH_ROWS);
    assert.equal(columns.close[(changedMinute - FEB_1_MS) / MINUTE_MS], 99.5);
  });
});

describe('a deliberately partial ingest', () => {
  it('--from/--to one day of the monthly archive: verify compares only that day and finds nothing wrong', async () => {
    const { store } = await lake();
    await ingestFolder(store, ARCHIVE_MONTH_DIR, { fromMs: FEB_10_MS, toMs: FEB_11_MS });
    assert.equal(await storedRows(store), 1_440);
    const report = await verifyLake(store);
    assert.equal(report.rawArchivesChecked, 1);
    assert.deepEqual(report.problems, []);
  });
});
