/**
 * Synthetic and real candles never share a symbol without a word: every partition records its sources
 * (Parquet footer and watermark), ingest refuses to add one origin to a symbol holding the other unless
 * allowed, and `data summary` / `data verify` show what each symbol holds. Real side: the shared month
 * of archives (and the same month over REST through the replay server); synthetic side: the seeded
 * market `npm start --offline` ingests.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../../src/app/ingest.js';
import { partitionKey, watermarkKey } from '../../src/lake/layout.js';
import { parquetToPartition } from '../../src/lake/parquet.js';
import { summariseLake } from '../../src/lake/summary.js';
import { verifyLake } from '../../src/lake/verify.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { rebuildWatermark } from '../../src/lake/watermark-rebuild.js';
import { writeKlines } from '../../src/lake/writer.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { archiveSource, binanceSource, SYNTHETIC_END_MS, syntheticSource } from '../../src/market/source.js';
import { DAY_MS } from '../../src/time.js';
import { lakeSnapshot, realMonthColumns, withTempStore } from '../support/lake.js';
import { ARCHIVE_MONTH_DIR, REPO_ROOT } from '../support/shared-data.js';

const SYMBOL = 'LINKUSDT';
const FEB_10_MS = Date.UTC(2026, 1, 10);
const MAR_1_MS = Date.UTC(2026, 2, 1);
const realMonth = () => archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR));
// one source for the file: it generates the synthetic universe once and serves every test from it
const synthetic = syntheticSource([SYMBOL]);
/** The last two synthetic days (December 2025): one partition, well before the real February. */
const syntheticDays = { fromMs: SYNTHETIC_END_MS - 2 * DAY_MS, toMs: SYNTHETIC_END_MS };

describe('ingest refuses to mix synthetic and real candles in one symbol', () => {
  it('synthetic candles into a symbol holding the real month: refused, the lake byte-identical', async () => {
    await withTempStore(async (store, dir) => {
      await ingest({ store, source: realMonth(), symbols: [SYMBOL] });
      const before = await lakeSnapshot(dir);
      await assert.rejects(ingest({ store, source: synthetic, symbols: [SYMBOL], ...syntheticDays }), {
        code: 'MIXED_DATA_SOURCES',
        data: {
          symbol: SYMBOL,
          storedSources: ['archive'],
          incomingSource: 'synthetic',
          symbols: { [SYMBOL]: ['archive'] },
        },
      });
      assert.deepEqual(await lakeSnapshot(dir), before);
    });
  });

  it('real candles into a symbol holding synthetic ones: refused the other way round, nothing written', async () => {
    await withTempStore(async (store, dir) => {
      await ingest({ store, source: synthetic, symbols: [SYMBOL], ...syntheticDays });
      const before = await lakeSnapshot(dir);
      await assert.rejects(ingest({ store, source: realMonth(), symbols: [SYMBOL] }), {
        code: 'MIXED_DATA_SOURCES',
        data: {
          symbol: SYMBOL,
          storedSources: ['synthetic'],
          incomingSource: 'archive',
          symbols: { [SYMBOL]: ['synthetic'] },
        },
      });
      assert.deepEqual(await lakeSnapshot(dir), before);
      // the same origin again is no mix: a second `npm start --offline` on its own store still works
      const again = await ingest({ store, source: synthetic, symbols: [SYMBOL], ...syntheticDays });
      assert.equal(again.symbols[SYMBOL]!.status, 'already-stored');
    });
  });

  it('with allowMixedSources both are stored, and summary and verify say the symbol mixes them', async () => {
    await withTempStore(async (store) => {
      await ingest({ store, source: realMonth(), symbols: [SYMBOL] });
      const mixed = await ingest({
        store,
        source: synthetic,
        symbols: [SYMBOL],
        ...syntheticDays,
        allowMixedSources: true,
      });
      assert.equal(mixed.symbols[SYMBOL]!.status, 'stored');

      const summary = await summariseLake(store);
      assert.deepEqual(summary.symbols[SYMBOL]!.sources, ['archive', 'synthetic']);
      assert.equal(
        summary.symbols[SYMBOL]!.rows,
        realMonthColumns(SYMBOL).openTimeMs.length + mixed.symbols[SYMBOL]!.rowsAdded,
      );
      assert.equal(summary.warnings, undefined);
      assert.deepEqual(summary.mixedSources, { [SYMBOL]: ['archive', 'synthetic'] });

      const report = await verifyLake(store);
      assert.deepEqual(report.problems, []);
      assert.deepEqual(report.mixedSources, { [SYMBOL]: ['archive', 'synthetic'] });
    });
  });
});

describe('archive and REST candles are one real market', () => {
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

  it('REST minutes merge into the archive month as before, and the partition records both kinds', async () => {
    await withTempStore(async (store) => {
      const rest = binanceSource(new BinanceClient({ baseUrl: server.url, maxRetries: 0 }), () => MAR_1_MS);
      const restDay = await ingest({
        store,
        source: rest,
        symbols: [SYMBOL],
        fromMs: FEB_10_MS,
        toMs: FEB_10_MS + DAY_MS,
      });
      assert.equal(restDay.symbols[SYMBOL]!.rowsAdded, 1440);
      const month = await ingest({
        store,
        source: realMonth(),
        symbols: [SYMBOL],
        fromMs: Date.UTC(2026, 1, 1),
        toMs: MAR_1_MS,
      });
      assert.equal(month.symbols[SYMBOL]!.rowsAdded, realMonthColumns(SYMBOL).openTimeMs.length - 1440);

      assert.deepEqual((await readWatermark(store, SYMBOL))!.partitions['2026-02']!.sources, [
        'archive',
        'rest',
      ]);
      const summary = await summariseLake(store);
      assert.deepEqual(summary.symbols[SYMBOL]!.sources, ['archive', 'rest']);
      assert.equal(summary.mixedSources, undefined);
      assert.equal((await verifyLake(store)).mixedSources, undefined);
    });
  });
});

describe('where sources are recorded', () => {
  it("the partition's footer holds them, so a rebuilt watermark keeps them", async () => {
    await withTempStore(async (store) => {
      await ingest({ store, source: realMonth(), symbols: [SYMBOL] });
      const key = partitionKey(SYMBOL, Date.UTC(2026, 1, 1));
      const stored = await parquetToPartition(SYMBOL, (await store.get(key))!, key);
      assert.deepEqual(stored.sources, ['archive']);

      await store.delete(watermarkKey(SYMBOL));
      const rebuilt = await rebuildWatermark(store, SYMBOL);
      assert.deepEqual(rebuilt.partitions['2026-02']!.sources, ['archive']);
      // and the refusal still holds after the rebuild
      await assert.rejects(ingest({ store, source: synthetic, symbols: [SYMBOL], ...syntheticDays }), {
        code: 'MIXED_DATA_SOURCES',
      });
    });
  });

  it('a lake written before sources were recorded still reads, verifies clean and shows "unknown"', async () => {
    await withTempStore(async (store) => {
      // what ingest wrote before this change: no source in the footer, none in the watermark
      await writeKlines(store, realMonthColumns(SYMBOL));
      const watermark = await readWatermark(store, SYMBOL);
      assert.equal(watermark!.partitions['2026-02']!.sources, undefined);

      const summary = await summariseLake(store);
      assert.deepEqual(summary.symbols[SYMBOL]!.sources, ['unknown']);
      assert.equal(summary.symbols[SYMBOL]!.rows, realMonthColumns(SYMBOL).openTimeMs.length);
      const report = await verifyLake(store);
      assert.deepEqual(report.problems, []);
      assert.equal(report.mixedSources, undefined);

      // an unknown origin refuses nothing; the new month records its kind, the old one stays unknown
      const added = await ingest({ store, source: synthetic, symbols: [SYMBOL], ...syntheticDays });
      assert.equal(added.symbols[SYMBOL]!.status, 'stored');
      assert.deepEqual((await summariseLake(store)).symbols[SYMBOL]!.sources, ['synthetic', 'unknown']);
    });
  });
});

describe('the alpha15 CLI', () => {
  it('ingest refuses the mix with a hint naming the flag, --allow-mixed-sources stores it, data summary lists the sources', async () => {
    await withTempStore(async (_store, dir) => {
      const cli = (...args: string[]) =>
        promisify(execFile)(process.execPath, ['bin/alpha15.js', ...args, '--store', `file://${dir}`], {
          cwd: REPO_ROOT,
          env: { ...process.env, ALPHA15_STORE: '' },
        });
      await cli('ingest', '--source', `archive:${ARCHIVE_MONTH_DIR}`, '--symbols', SYMBOL);
      const before = await lakeSnapshot(dir);
      const range = ['--from', String(syntheticDays.fromMs), '--to', String(syntheticDays.toMs)];
      await assert.rejects(
        cli('ingest', '--source', 'synthetic', '--symbols', SYMBOL, ...range, '--json'),
        (error: { code: number; stdout: string }) => {
          const body = JSON.parse(error.stdout) as { error: { code: string; hint: string } };
          assert.equal(body.error.code, 'MIXED_DATA_SOURCES');
          assert.match(body.error.hint, /--allow-mixed-sources/);
          assert.equal(error.code, 1);
          return true;
        },
      );
      assert.deepEqual(await lakeSnapshot(dir), before);

      await cli('ingest', '--source', 'synthetic', '--symbols', SYMBOL, ...range, '--allow-mixed-sources');
      const summary = await cli('data', 'summary');
      assert.match(summary.stdout, /SOURCES/);
      assert.match(summary.stdout, new RegExp(`${SYMBOL} .* archive,synthetic`));
      assert.match(
        summary.stderr,
        /warning: LINKUSDT holds synthetic and real candles \(archive, synthetic\)/,
      );
      assert.doesNotMatch(summary.stderr, /data repair/);
      const verify = await cli('data', 'verify');
      assert.match(verify.stdout, /no problems/);
      assert.match(
        verify.stdout,
        /warning: LINKUSDT holds synthetic and real candles \(archive, synthetic\)/,
      );
    });
  });
});
