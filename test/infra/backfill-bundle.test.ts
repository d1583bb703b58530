/**
 * The backfill item Lambda as it ships: lambdas/backfill/handler.ts bundled by esbuild with the stack's
 * own options (infra/alpha15-function.ts), run against s3rver (a real S3-compatible server) and the
 * archive site served from the shared February 2026 folder over HTTP on 127.0.0.1. One month lands in
 * the lake exactly as the archive holds it, a throttled download is retried and counted, a corrupt zip
 * fails its own item only, and a second run of a month downloads nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { esbuildOptionsOf } from '../../infra/alpha15-function.js';
import { partitionKey, rawArchiveKey, watermarkKey } from '../../src/lake/layout.js';
import { readSymbol } from '../../src/lake/reader.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { S3Store } from '../../src/store/s3-store.js';
import { startArchiveSite } from '../support/archive-site.js';
import { realMonthColumns } from '../support/lake.js';
import { startLocalS3, type LocalS3 } from '../support/s3rver.js';
import { ARCHIVE_MONTH_DIR, REPO_ROOT } from '../support/shared-data.js';
import type { ScriptedServer } from '../market/support/http-server.js';
import { lambdaContext } from '../lambdas/support/events.js';

const FEB_2026 = Date.UTC(2026, 1, 1);
let bundleDir: string;
let s3: LocalS3;
let site: ScriptedServer;
let lake: S3Store;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

before(async () => {
  bundleDir = await mkdtemp(path.join(tmpdir(), 'alpha15-backfill-bundle-'));
  await build({ ...esbuildOptionsOf('backfill', path.join(bundleDir, 'index.mjs')), logLevel: 'error' });
  // the AWS SDK is external, as on Lambda where the runtime provides it
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(bundleDir, 'node_modules'));
  s3 = await startLocalS3();
  const bucket = await s3.createBucket();
  site = await startArchiveSite(ARCHIVE_MONTH_DIR, {
    corrupt: ['NEARUSDT-1m-2026-02.zip'],
    failFirst: { 'LINKUSDT-1m-2026-02.zip': [503] },
  });
  Object.assign(process.env, {
    STORE_URL: `s3://${bucket}`,
    ARCHIVE_BASE_URL: site.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  lake = new S3Store({ bucket, prefix: '', client: s3.client });
  ({ handler } = (await import(pathToFileURL(path.join(bundleDir, 'index.mjs')).href)) as {
    handler: typeof handler;
  });
});
after(async () => {
  await site?.close();
  await s3?.close();
  await rm(bundleDir, { recursive: true, force: true });
});

test('one (symbol, month) item stores the month exactly as the archive holds it, retrying the throttled download', async () => {
  const result = (await handler({ symbol: 'LINKUSDT', month: '2026-02' }, lambdaContext)) as Record<
    string,
    unknown
  >;
  assert.equal(result.status, 'ingested');
  assert.equal(result.rowsAdded, 40_320);
  assert.equal(result.partitionsWritten, 1);
  assert.equal(result.retries, 1);
  assert.equal(result.throttledRetries, 1);
  const stored = await readSymbol(lake, 'LINKUSDT');
  const archive = realMonthColumns('LINKUSDT');
  assert.deepEqual(stored.openTimeMs, archive.openTimeMs);
  assert.deepEqual(stored.close, archive.close);
  assert.deepEqual(stored.takerBuyQuoteVolume, archive.takerBuyQuoteVolume);
  assert.ok(await lake.get(rawArchiveKey('LINKUSDT', 'LINKUSDT-1m-2026-02.zip')));
  assert.deepEqual((await readWatermark(lake, 'LINKUSDT'))?.partitions['2026-02']?.rows, 40_320);
});

test('a corrupt zip fails its own item with ArchiveChecksumError and stores nothing of that symbol', async () => {
  await assert.rejects(handler({ symbol: 'NEARUSDT', month: '2026-02' }, lambdaContext), (error: Error) => {
    assert.equal(error.name, 'ArchiveChecksumError');
    return true;
  });
  assert.deepEqual(await lake.list('curated/klines/symbol=NEARUSDT/'), []);
  assert.equal(await lake.get(watermarkKey('NEARUSDT')), undefined);
  assert.deepEqual(await lake.list('raw/klines/NEARUSDT/'), []);
  // the other symbol's month is untouched, and the next item still runs
  assert.equal((await readSymbol(lake, 'LINKUSDT')).openTimeMs.length, 40_320);
  const next = (await handler({ symbol: 'DOTUSDT', month: '2026-02' }, lambdaContext)) as Record<
    string,
    unknown
  >;
  assert.equal(next.rowsAdded, 40_320);
});

test('a month already in the lake is skipped without a download, and adds 0 rows', async () => {
  const requestsBefore = site.requests.length;
  const partitionBefore = await lake.get(partitionKey('LINKUSDT', FEB_2026));
  const result = (await handler({ symbol: 'LINKUSDT', month: '2026-02' }, lambdaContext)) as Record<
    string,
    unknown
  >;
  assert.equal(result.status, 'skipped');
  assert.equal(result.rowsAdded, 0);
  assert.equal(site.requests.length, requestsBefore);
  assert.deepEqual(await lake.get(partitionKey('LINKUSDT', FEB_2026)), partitionBefore);
});

test('the settle task restores a watermark entry a parallel item overwrote, and ends the backfill with one retrain request; the items wrote none', async () => {
  // the items above wrote partitions only: nothing that invokes the training trigger
  assert.deepEqual(await lake.list('requests/'), []);
  const complete = await readWatermark(lake, 'DOTUSDT');
  // what a concurrent item of the same symbol leaves behind: its own watermark, without this month
  await lake.put(watermarkKey('DOTUSDT'), JSON.stringify({ ...complete, partitions: {} }));
  const finished = await handler({ settle: ['DOTUSDT', 'LINKUSDT'] }, lambdaContext);
  assert.deepEqual(finished, {
    settled: { DOTUSDT: { partitionsAdded: 1 }, LINKUSDT: { partitionsAdded: 0 } },
    retrainRequestKey: 'requests/new-data/backfill.json',
  });
  assert.deepEqual(await readWatermark(lake, 'DOTUSDT'), complete);
  assert.deepEqual(await lake.list('requests/'), ['requests/new-data/backfill.json']);
});

test('an event that is neither an item nor a settle task is refused before any work', async () => {
  await assert.rejects(
    handler({ symbol: 'LINKUSDT', month: '2026-13' }, lambdaContext),
    /UnexpectedEventError|not a backfill item/,
  );
});
