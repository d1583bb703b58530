/**
 * The deployed ingestion handler against a mocked S3 bucket (aws-sdk-client-mock) and the replay server
 * serving the real February 2026 archives as Binance's REST API: what lands in the lake is exactly the
 * archive's candles, the lookback overlap adds nothing twice, and an outage is backfilled up to the cap.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSymbol } from '../../src/lake/reader.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { lowerBound, sliceColumns } from '../../src/market/kline-columns.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { openStore } from '../../src/store/open-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { realMonthColumns } from '../support/lake.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';
import { lambdaContext, scheduledEvent } from './support/events.js';
import { mockBucket, type MockBucket } from './support/s3-bucket.js';

const SYMBOLS = ['LINKUSDT', 'DOTUSDT'];
const LOOKBACK_MINUTES = 120;
const FIRST_RUN_MS = Date.UTC(2026, 1, 10, 12, 0);
const HOUR_MS = 60 * MINUTE_MS;

let server: ReplayServer;
let bucket: MockBucket;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
const lake = () => openStore('s3://alpha15-lake');

before(async () => {
  server = await startReplayServer({
    source: { kind: 'archives', dir: ARCHIVE_MONTH_DIR },
    symbols: SYMBOLS,
    manualClock: true,
  });
  bucket = mockBucket();
  Object.assign(process.env, {
    STORE_URL: 's3://alpha15-lake',
    SYMBOLS: SYMBOLS.join(','),
    LOOKBACK_MINUTES: String(LOOKBACK_MINUTES),
    MAX_BACKFILL_DAYS: '1',
    // the variable the construct sets, read through loadConfig like the paper tick's
    ALPHA15_BINANCE_BASE_URL: server.url,
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  ({ handler } = (await import('../../lambdas/ingest/handler.js')) as unknown as { handler: typeof handler });
});
after(async () => {
  bucket.restore();
  await server.close();
});

/** The schedule fires a few seconds into its minute; the server's clock is the exchange's. */
async function runAt(scheduledMs: number): Promise<{ toMs: number; rowsAdded: number; missing: number }> {
  server.setTimeMs(scheduledMs + 2_000);
  return (await handler(scheduledEvent(new Date(scheduledMs).toISOString()), lambdaContext)) as {
    toMs: number;
    rowsAdded: number;
    missing: number;
  };
}

function archiveSlice(symbol: string, fromMs: number, toMs: number) {
  const month = realMonthColumns(symbol);
  return sliceColumns(month, lowerBound(month.openTimeMs, fromMs), lowerBound(month.openTimeMs, toMs));
}

test('the first run stores the lookback window of every symbol, exactly the exchange candles, up to the open minute', async () => {
  const result = await runAt(FIRST_RUN_MS);
  assert.deepEqual(result, { toMs: FIRST_RUN_MS, rowsAdded: SYMBOLS.length * LOOKBACK_MINUTES, missing: 0 });
  for (const symbol of SYMBOLS) {
    const stored = await readSymbol(lake(), symbol);
    const expected = archiveSlice(symbol, FIRST_RUN_MS - LOOKBACK_MINUTES * MINUTE_MS, FIRST_RUN_MS);
    assert.deepEqual(stored.openTimeMs, expected.openTimeMs);
    assert.deepEqual(stored.close, expected.close);
    assert.deepEqual(stored.volume, expected.volume);
    assert.equal((await readWatermark(lake(), symbol))?.lastOpenTimeMs, FIRST_RUN_MS - MINUTE_MS);
  }
  // one retrain request for the whole run, written after every partition (the trigger listens to it,
  // never to the partitions: one run, one retrain at most)
  const written = [...bucket.objects.keys()];
  assert.deepEqual(
    written.filter((key) => key.startsWith('requests/')),
    ['requests/new-data/ingest.json'],
  );
  assert.equal(written.at(-1), 'requests/new-data/ingest.json');
  assert.deepEqual(JSON.parse(bucket.text('requests/new-data/ingest.json')!), {
    source: 'ingest',
    requestedAtMs: FIRST_RUN_MS,
  });
});

test('the next run re-requests the lookback but adds only the new minutes', async () => {
  const result = await runAt(FIRST_RUN_MS + 5 * MINUTE_MS);
  assert.equal(result.rowsAdded, SYMBOLS.length * 5);
  assert.equal((await readSymbol(lake(), 'LINKUSDT')).openTimeMs.length, LOOKBACK_MINUTES + 5);
});

test('after an outage longer than the lookback, the run backfills from the watermark', async () => {
  const resumeMs = FIRST_RUN_MS + 10 * HOUR_MS;
  const result = await runAt(resumeMs);
  assert.equal(result.rowsAdded, SYMBOLS.length * (10 * 60 - 5));
  const stored = await readSymbol(lake(), 'DOTUSDT');
  assert.deepEqual(
    stored.close,
    archiveSlice('DOTUSDT', FIRST_RUN_MS - LOOKBACK_MINUTES * MINUTE_MS, resumeMs).close,
  );
});

test('a longer outage is backfilled at most MAX_BACKFILL_DAYS per run, so one run fits in the Lambda timeout', async () => {
  const resumeMs = FIRST_RUN_MS + 10 * HOUR_MS + 3 * DAY_MS;
  const result = await runAt(resumeMs);
  assert.equal(result.rowsAdded, SYMBOLS.length * 1440);
  const stored = await readSymbol(lake(), 'LINKUSDT', resumeMs - DAY_MS - MINUTE_MS, resumeMs);
  assert.equal(stored.openTimeMs[0], resumeMs - DAY_MS, 'nothing before the cap was fetched');
});

test('an event that is not a schedule is refused by name', async () => {
  await assert.rejects(handler({ source: 'aws.events' }, lambdaContext), { name: 'UnexpectedEventError' });
});
