import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { ingest } from '../../src/app/ingest.js';
import { parquetToKlines } from '../../src/lake/parquet.js';
import { readFrame } from '../../src/lake/reader.js';
import { summariseLake } from '../../src/lake/summary.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import {
  archiveSource,
  syntheticCandles,
  syntheticMarketOptions,
  syntheticSource,
} from '../../src/market/source.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { FlakyStore, withTempStore } from '../support/lake.js';
import {
  ARCHIVE_MONTH_DIR,
  ARCHIVE_MONTH_SYMBOLS,
  REPO_ROOT,
  requireSharedData,
} from '../support/shared-data.js';

requireSharedData();
const MONTH_ROWS = 40_320;
const FEB_1_MS = Date.UTC(2026, 1, 1);
const MAR_1_MS = Date.UTC(2026, 2, 1);
const monthSource = () => archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR));
const run = promisify(execFile);

describe('ingest from the real archive month', () => {
  it('loads 40,320 rows for each of the 7 symbols with none missing, and a second run changes nothing', async () => {
    await withTempStore(async (store) => {
      const first = await ingest({ store, source: monthSource(), symbols: ARCHIVE_MONTH_SYMBOLS });
      for (const symbol of ARCHIVE_MONTH_SYMBOLS) {
        assert.equal(first.symbols[symbol]!.rowsAdded, MONTH_ROWS, symbol);
        assert.equal(first.symbols[symbol]!.rawArchivesStored, 1, symbol);
      }
      const summary = await summariseLake(store);
      assert.deepEqual(Object.keys(summary.symbols), ARCHIVE_MONTH_SYMBOLS);
      for (const symbol of ARCHIVE_MONTH_SYMBOLS) {
        assert.deepEqual(summary.symbols[symbol], {
          rows: MONTH_ROWS,
          first: FEB_1_MS,
          last: MAR_1_MS - MINUTE_MS,
          missing: 0,
          sources: ['archive'],
        });
      }
      const rawKeys = await store.list('raw/klines/');
      assert.equal(rawKeys.filter((key) => key.endsWith('.zip')).length, 7);
      assert.equal(rawKeys.filter((key) => key.includes('/ingests/')).length, 7, 'one ingest record each');

      // again, even with the range given explicitly (so the watermark cannot skip the work)
      const counting = new FlakyStore(store);
      const second = await ingest({
        store: counting,
        source: monthSource(),
        symbols: ARCHIVE_MONTH_SYMBOLS,
        fromMs: FEB_1_MS,
        toMs: MAR_1_MS,
      });
      for (const symbol of ARCHIVE_MONTH_SYMBOLS) assert.equal(second.symbols[symbol]!.rowsAdded, 0);
      assert.equal(counting.puts, 0, 'no object rewritten');
      assert.deepEqual(counting.putKeys, [], 'no object created');
      assert.deepEqual(await summariseLake(store), summary);
    });
  });

  it("without --from it resumes after each symbol's watermark", async () => {
    await withTempStore(async (store) => {
      const tenDaysMs = FEB_1_MS + 10 * DAY_MS;
      await ingest({ store, source: monthSource(), symbols: ['LTCUSDT'], toMs: tenDaysMs });
      const resumed = await ingest({ store, source: monthSource(), symbols: ['LTCUSDT'] });
      assert.equal(resumed.symbols.LTCUSDT!.fromMs, tenDaysMs);
      assert.equal(resumed.symbols.LTCUSDT!.rowsFetched, MONTH_ROWS - 10 * 1440);
      assert.equal(resumed.symbols.LTCUSDT!.rowsAdded, MONTH_ROWS - 10 * 1440);
      assert.equal((await summariseLake(store)).symbols.LTCUSDT!.rows, MONTH_ROWS);
    });
  });

  it('a store failing part-way leaves no partial partition visible and a re-run completes', async () => {
    await withTempStore(async (store) => {
      // per symbol: 1 partition + 1 watermark; put #3 (NEARUSDT's partition) fails
      const failing = new FlakyStore(store, 3);
      await assert.rejects(
        ingest({ store: failing, source: monthSource(), symbols: ['FILUSDT', 'NEARUSDT'] }),
        /injected failure/,
      );
      for (const key of await store.list('curated/klines/')) {
        const partition = await parquetToKlines('X', (await store.get(key))!, key);
        assert.equal(partition.openTimeMs.length, MONTH_ROWS, `${key} is a whole month`);
      }
      assert.deepEqual(
        await store.list('curated/klines/symbol=NEARUSDT/'),
        [],
        'nothing of the broken symbol is visible',
      );
      assert.equal(
        await store.get('curated/watermarks/NEARUSDT.json'),
        undefined,
        'no watermark for the broken symbol',
      );
      const rerun = await ingest({ store, source: monthSource(), symbols: ['FILUSDT', 'NEARUSDT'] });
      assert.equal(rerun.symbols.FILUSDT!.rowsAdded, 0);
      assert.equal(rerun.symbols.NEARUSDT!.rowsAdded, MONTH_ROWS);
      const summary = await summariseLake(store);
      assert.deepEqual(summary.symbols.NEARUSDT, {
        rows: MONTH_ROWS,
        first: FEB_1_MS,
        last: MAR_1_MS - MINUTE_MS,
        missing: 0,
        sources: ['archive'],
      });
    });
  });
});

describe('ingest from the synthetic market', () => {
  it('stores exactly the generated candles, gaps included, and is deterministic across runs', async () => {
    await withTempStore(async (store) => {
      const symbols = ['BTCUSDT', 'ETHUSDT'];
      const first = await ingest({ store, source: syntheticSource(symbols), symbols });
      const again = await ingest({ store, source: syntheticSource(symbols), symbols, fromMs: 0 });
      assert.equal(again.symbols.BTCUSDT!.rowsAdded + again.symbols.ETHUSDT!.rowsAdded, 0);

      const options = syntheticMarketOptions();
      const generated = symbols.map(syntheticCandles);
      const frame = await readFrame(
        store,
        symbols,
        options.startTimeMs,
        options.startTimeMs + options.minutes * MINUTE_MS,
      );
      assert.ok(
        symbols.some((symbol) => first.symbols[symbol]!.missing > 0),
        'the synthetic market has gaps, so the comparison covers them',
      );
      for (const columns of generated) {
        const grid = frame.columns[columns.symbol]!;
        const present = grid.present.reduce((sum, flag) => sum + flag, 0);
        assert.equal(present, columns.openTimeMs.length);
        assert.equal(first.symbols[columns.symbol]!.rowsAdded, columns.openTimeMs.length);
        const times = columns.openTimeMs;
        assert.deepEqual((await summariseLake(store)).symbols[columns.symbol], {
          rows: times.length,
          first: times[0],
          last: times.at(-1),
          missing: (times.at(-1)! - times[0]!) / MINUTE_MS + 1 - times.length,
          sources: ['synthetic'],
        });
        assert.equal(
          first.symbols[columns.symbol]!.missing,
          (times.at(-1)! - times[0]!) / MINUTE_MS + 1 - times.length,
        );
        for (const row of [0, 1000, columns.openTimeMs.length - 1]) {
          const slot = (columns.openTimeMs[row]! - frame.startTimeMs) / MINUTE_MS;
          assert.equal(grid.close[slot], columns.close[row]);
        }
      }
    });
  });
});

describe('the alpha15 CLI', () => {
  it('ingest --json and data summary --json report the lake as JSON on stdout', async () => {
    await withTempStore(async (_store, dir) => {
      const cli = (...args: string[]) =>
        run(process.execPath, ['bin/alpha15.js', ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, ALPHA15_STORE: '' },
        });
      const store = `file://${dir}`;
      const ingested = await cli(
        'ingest',
        '--source',
        `archive:${ARCHIVE_MONTH_DIR}`,
        '--symbols',
        'LINKUSDT,NEARUSDT',
        '--store',
        store,
        '--json',
      );
      const ingestResult = JSON.parse(ingested.stdout) as { symbols: Record<string, { rowsAdded: number }> };
      assert.deepEqual(Object.keys(ingestResult.symbols), ['LINKUSDT', 'NEARUSDT']);
      assert.equal(ingestResult.symbols.NEARUSDT!.rowsAdded, MONTH_ROWS);

      const summary = await cli('data', 'summary', '--store', store, '--json');
      assert.deepEqual(JSON.parse(summary.stdout), {
        symbols: {
          LINKUSDT: {
            rows: MONTH_ROWS,
            first: FEB_1_MS,
            last: MAR_1_MS - MINUTE_MS,
            missing: 0,
            sources: ['archive'],
          },
          NEARUSDT: {
            rows: MONTH_ROWS,
            first: FEB_1_MS,
            last: MAR_1_MS - MINUTE_MS,
            missing: 0,
            sources: ['archive'],
          },
        },
      });
    });
  });

  it('an unknown source is a clear error with a hint, as JSON with --json', async () => {
    await assert.rejects(
      run(process.execPath, ['bin/alpha15.js', 'ingest', '--source', 'ftp', '--json'], { cwd: REPO_ROOT }),
      (error: { code: number; stdout: string }) => {
        const body = JSON.parse(error.stdout) as { error: { name: string; hint: string } };
        assert.equal(body.error.name, 'UnknownSourceError');
        assert.match(body.error.hint, /archive:<dir>/);
        assert.equal(error.code, 1);
        return true;
      },
    );
  });
});
