/**
 * Ingest through the other two paths a deployment uses: the REST source (BinanceClient against the
 * Binance-compatible replay server serving the real month) and an S3 store (s3rver, a real S3 HTTP API).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../../src/app/ingest.js';
import { readFrame, readSymbol } from '../../src/lake/reader.js';
import { summariseLake } from '../../src/lake/summary.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import { lowerBound, sliceColumns } from '../../src/market/kline-columns.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { archiveSource, binanceSource } from '../../src/market/source.js';
import { S3Store } from '../../src/store/s3-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { realMonthColumns, withTempStore } from '../support/lake.js';
import { startLocalS3, type LocalS3 } from '../support/s3rver.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';

const FEB_10_MS = Date.UTC(2026, 1, 10);
const MAR_1_MS = Date.UTC(2026, 2, 1);

describe('ingest --source binance (against the replay server)', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer({
      source: { kind: 'archives', dir: ARCHIVE_MONTH_DIR },
      symbols: ['LINKUSDT'],
      fromMs: MAR_1_MS,
      manualClock: true,
    });
  });
  after(async () => {
    await server?.close();
  });

  it('pages through /api/v3/klines and stores exactly the archive candles of the range', async () => {
    await withTempStore(async (store) => {
      const source = binanceSource(new BinanceClient({ baseUrl: server.url, maxRetries: 0 }), () => MAR_1_MS);
      const toMs = FEB_10_MS + 2 * DAY_MS;
      const result = await ingest({ store, source, symbols: ['LINKUSDT'], fromMs: FEB_10_MS, toMs });
      assert.equal(result.symbols.LINKUSDT!.rowsAdded, 2880);
      assert.equal(result.symbols.LINKUSDT!.rawArchivesStored, 1, 'raw/ keeps the REST body');
      assert.ok(await store.get('raw/klines/LINKUSDT/LINKUSDT-1m-rest-20260210T0000-20260211T2359.json'));
      const month = realMonthColumns('LINKUSDT');
      const expected = sliceColumns(
        month,
        lowerBound(month.openTimeMs, FEB_10_MS),
        lowerBound(month.openTimeMs, toMs),
      );
      const stored = await readSymbol(store, 'LINKUSDT');
      assert.deepEqual(stored.openTimeMs, expected.openTimeMs);
      assert.deepEqual(stored.close, expected.close);
      assert.deepEqual(stored.takerBuyQuoteVolume, expected.takerBuyQuoteVolume);

      // without --from, the next run starts after the watermark and fetches up to the source's "now"
      const resumed = await ingest({ store, source, symbols: ['LINKUSDT'] });
      assert.equal(resumed.symbols.LINKUSDT!.fromMs, toMs);
      assert.equal(resumed.symbols.LINKUSDT!.last, MAR_1_MS - MINUTE_MS);
      assert.equal((await summariseLake(store)).symbols.LINKUSDT!.rows, (MAR_1_MS - FEB_10_MS) / MINUTE_MS);
    });
  });
});

describe('the lake on S3 (s3rver)', () => {
  let localS3: LocalS3;
  before(async () => {
    localS3 = await startLocalS3();
  });
  after(async () => {
    await localS3?.close();
  });

  it('ingests the real month into a bucket prefix, reads it back on the grid, and a second run writes nothing', async () => {
    const store = new S3Store({
      bucket: await localS3.createBucket(),
      prefix: 'alpha15',
      client: localS3.client,
    });
    const source = archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR));
    const first = await ingest({ store, source, symbols: ['DOTUSDT'] });
    assert.equal(first.symbols.DOTUSDT!.rowsAdded, 40_320);
    assert.deepEqual(await store.list(''), [
      'curated/klines/symbol=DOTUSDT/month=2026-02/klines.parquet',
      'curated/watermarks/DOTUSDT.json',
      'raw/klines/DOTUSDT/DOTUSDT-1m-2026-02.zip',
      `raw/klines/DOTUSDT/ingests/DOTUSDT-1m-2026-02.zip.${Date.UTC(2026, 1, 1)}-${MAR_1_MS}.json`,
    ]);
    const frame = await readFrame(store, ['DOTUSDT'], FEB_10_MS, FEB_10_MS + DAY_MS);
    const month = realMonthColumns('DOTUSDT');
    const offset = lowerBound(month.openTimeMs, FEB_10_MS);
    assert.deepEqual(frame.columns.DOTUSDT!.close, month.close.slice(offset, offset + 1440));
    const second = await ingest({ store, source, symbols: ['DOTUSDT'], fromMs: 0, toMs: MAR_1_MS });
    assert.equal(second.symbols.DOTUSDT!.rowsAdded, 0);
    assert.equal(second.symbols.DOTUSDT!.partitionsWritten, 0);
  });
});
