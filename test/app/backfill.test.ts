/**
 * `alpha15 backfill --local` over the shared February 2026 archives: the same lake as `alpha15 ingest` of
 * those archives, nothing added by a second run, a corrupt archive failing only its own item; and the
 * item plan the state machine receives.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliHint } from '../../src/cli/error-hints.js';
import { backfillLocal, InvalidBackfillRangeError, planBackfill } from '../../src/app/backfill.js';
import { ingest } from '../../src/app/ingest.js';
import { summariseLake } from '../../src/lake/summary.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { archiveSource } from '../../src/market/source.js';
import { sha256Hex } from '../../src/checksum.js';
import { LocalStore } from '../../src/store/local-store.js';
import { ARCHIVE_MONTH_DIR, ARCHIVE_MONTH_SYMBOLS, SHARED_DATA_DIR } from '../support/shared-data.js';
import { runCli } from '../support/cli.js';

const ARCHIVE_BASE = path.join(SHARED_DATA_DIR, 'binance-archive');
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-backfill-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const { code, stdout } = await runCli([...args, '--json'], { timeoutMs: 0 });
  return { code, json: JSON.parse(stdout) };
}

/** `alpha15 backfill --local` of February 2026. */
function localBackfillArgs(symbols: string, archiveBase: string, store: string): string[] {
  return [
    'backfill',
    '--local',
    '--from',
    '2026-02',
    '--to',
    '2026-02',
    '--symbols',
    symbols,
    '--archive-base',
    archiveBase,
    '--store',
    store,
  ];
}

describe('backfill plan', () => {
  it('is every (symbol, month) of the range, month by month, both ends included', () => {
    const items = planBackfill(['BTCUSDT', 'ETHUSDT'], '2025-11', '2026-01', Date.UTC(2026, 10, 29));
    assert.deepEqual(
      items.map((item) => `${item.month} ${item.symbol}`),
      [
        '2025-11 BTCUSDT',
        '2025-11 ETHUSDT',
        '2025-12 BTCUSDT',
        '2025-12 ETHUSDT',
        '2026-01 BTCUSDT',
        '2026-01 ETHUSDT',
      ],
    );
    assert.equal(planBackfill(['BTCUSDT'], '2023-01', '2026-10', Date.UTC(2026, 10, 29)).length, 46);
  });

  it('refuses a month that has not ended, a reversed range and a malformed month', () => {
    const now = Date.UTC(2026, 10, 29);
    // each refusal says why in its data, and the terminal's hint names the flag to change
    const refusal = (from: string, to: string) => {
      try {
        planBackfill(['BTCUSDT'], from, to, now);
      } catch (error) {
        assert.ok(error instanceof InvalidBackfillRangeError, String(error));
        return { reason: error.data.reason, message: error.message, cliHint: cliHint(error) };
      }
      return assert.fail(`${from}..${to} should be refused`);
    };
    assert.deepEqual(refusal('2026-10', '2026-11'), {
      reason: 'unpublished',
      message:
        "the last month 2026-11 has not ended yet: the archive site publishes a month's file after the month ends",
      cliHint: 'pass --to 2026-10 or earlier; `alpha15 ingest --source binance` fills the current month',
    });
    assert.deepEqual(refusal('2026-02', '2026-01'), {
      reason: 'reversed',
      message: 'the last month 2026-01 is before the first month 2026-02',
      cliHint: 'swap --from and --to',
    });
    assert.deepEqual(refusal('2026-2', '2026-03'), {
      reason: 'not-a-month',
      message: 'the first month "2026-2" is not a month',
      cliHint: 'use YYYY-MM, e.g. --from 2023-01',
    });
  });
});

describe('alpha15 backfill --local', () => {
  it('gives the same lake summary as alpha15 ingest of the same archives, and a second run adds 0 rows', async () => {
    const symbols = ARCHIVE_MONTH_SYMBOLS.join(',');
    const store = `file://${dir}/backfilled`;
    const args = localBackfillArgs(symbols, ARCHIVE_BASE, store);
    const first = await cli(...args);
    assert.equal(first.code, 0);
    assert.equal(first.json.items, 7);
    assert.equal(first.json.failed, 0);
    assert.equal(first.json.rowsAdded, 7 * 40_320);

    const ingested = new LocalStore(path.join(dir, 'ingested'));
    await ingest({
      store: ingested,
      source: archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR)),
      symbols: ARCHIVE_MONTH_SYMBOLS,
    });
    const backfilled = new LocalStore(path.join(dir, 'backfilled'));
    assert.deepEqual(await summariseLake(backfilled), await summariseLake(ingested));
    for (const symbol of ARCHIVE_MONTH_SYMBOLS) {
      const key = `curated/klines/symbol=${symbol}/month=2026-02/klines.parquet`;
      assert.deepEqual(await backfilled.get(key), await ingested.get(key), key);
    }

    const second = await cli(...args);
    assert.equal(second.code, 0);
    assert.equal(second.json.rowsAdded, 0);
    assert.equal(second.json.skipped, 7);
  });

  it('a corrupt archive fails only its own item, which the summary names, and the exit code says so', async () => {
    const archives = path.join(dir, 'archives');
    await rm(archives, { recursive: true, force: true });
    await mkdir(archives, { recursive: true });
    for (const symbol of ['ALGOUSDT', 'LTCUSDT']) {
      const fileName = `${symbol}-1m-2026-02.zip`;
      await copyFile(path.join(ARCHIVE_MONTH_DIR, fileName), path.join(archives, fileName));
      const bytes = await readFile(path.join(archives, fileName));
      // LTCUSDT's published checksum is of other bytes: the download was damaged
      const published =
        symbol === 'LTCUSDT' ? sha256Hex(new Uint8Array(bytes.subarray(1))) : sha256Hex(bytes);
      await writeFile(path.join(archives, `${fileName}.CHECKSUM`), `${published}  ${fileName}\n`);
    }
    const store = new LocalStore(path.join(dir, 'corrupt'));
    const progress: number[] = [];
    const result = await backfillLocal({
      store,
      archiveBase: archives,
      items: planBackfill(['ALGOUSDT', 'LTCUSDT'], '2026-02', '2026-02'),
      onProgress: ({ done }) => progress.push(done),
    });
    assert.deepEqual(progress.sort(), [1, 2]);
    assert.equal(result.succeeded, 1);
    assert.equal(result.rowsAdded, 40_320);
    assert.deepEqual(
      result.failures.map((failure) => [failure.symbol, failure.error]),
      [['LTCUSDT', 'ArchiveChecksumError']],
    );
    assert.deepEqual(Object.keys((await summariseLake(store)).symbols), ['ALGOUSDT']);

    const cliRun = await cli(...localBackfillArgs('ALGOUSDT,LTCUSDT', archives, `file://${dir}/corrupt`));
    assert.equal(cliRun.code, 1);
    assert.equal(cliRun.json.failed, 1);
    assert.equal(cliRun.json.skipped, 1);
  });

  it('a month a partial file left open (Feb 1 to 10) is not skipped: the full file fills it', async () => {
    const partialDir = path.join(dir, 'partial-archives');
    await rm(partialDir, { recursive: true, force: true });
    await mkdir(partialDir, { recursive: true });
    const csvName = 'ALGOUSDT-1m-2026-02.csv';
    const zipName = 'ALGOUSDT-1m-2026-02.zip';
    const lines = strFromU8(unzipSync(await readFile(path.join(ARCHIVE_MONTH_DIR, zipName)))[csvName]!)
      .trimEnd()
      .split('\n');
    const tenDays = lines.slice(0, 1 + 10 * 1440).join('\n');
    await writeFile(path.join(partialDir, zipName), zipSync({ [csvName]: strToU8(`${tenDays}\n`) }));
    const store = new LocalStore(path.join(dir, 'partial-lake'));
    await ingest({ store, source: archiveSource(new LocalArchiveSource(partialDir)), symbols: ['ALGOUSDT'] });

    const result = await backfillLocal({
      store,
      archiveBase: ARCHIVE_BASE,
      items: planBackfill(['ALGOUSDT'], '2026-02', '2026-02'),
    });
    assert.equal(result.skipped, 0);
    assert.equal(result.rowsAdded, 40_320 - 14_400);
    assert.equal((await summariseLake(store)).symbols.ALGOUSDT?.rows, 40_320);
  });
});
