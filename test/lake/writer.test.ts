import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionKey, watermarkKey } from '../../src/lake/layout.js';
import { KlineConflictError } from '../../src/lake/merge.js';
import { parquetToKlines } from '../../src/lake/parquet.js';
import { readSymbol } from '../../src/lake/reader.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { writeKlines } from '../../src/lake/writer.js';
import {
  concatColumns,
  KLINE_COLUMN_FIELDS,
  lowerBound,
  sliceColumns,
} from '../../src/market/kline-columns.js';
import { generateSyntheticMarket } from '../../src/market/synthetic.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { FlakyStore, lakeSnapshot, realMonthColumns, withTempStore } from '../support/lake.js';

const DAY_ROWS = 1440;
const month = realMonthColumns('DOTUSDT');
const days = (first: number, end: number) => sliceColumns(month, first * DAY_ROWS, end * DAY_ROWS);
// 75 synthetic days from 2026-01-20: candles in January, February, March and April
const [multiMonth] = generateSyntheticMarket({
  symbols: ['DOTUSDT'],
  startTimeMs: Date.UTC(2026, 0, 20),
  minutes: (75 * DAY_MS) / MINUTE_MS,
  seed: 5,
});
const rowsBefore = (timeMs: number) => lowerBound(multiMonth!.openTimeMs, timeMs);

describe('writeKlines', () => {
  it('writes one Hive-style partition per UTC month and a watermark covering them', async () => {
    await withTempStore(async (store) => {
      const result = await writeKlines(store, multiMonth!);
      assert.deepEqual(result, {
        rowsAdded: multiMonth!.openTimeMs.length,
        partitionsWritten: 4,
        replaced: [],
      });
      assert.deepEqual(await store.list('curated/klines/'), [
        'curated/klines/symbol=DOTUSDT/month=2026-01/klines.parquet',
        'curated/klines/symbol=DOTUSDT/month=2026-02/klines.parquet',
        'curated/klines/symbol=DOTUSDT/month=2026-03/klines.parquet',
        'curated/klines/symbol=DOTUSDT/month=2026-04/klines.parquet',
      ]);
      const february = await parquetToKlines(
        'DOTUSDT',
        (await store.get(partitionKey('DOTUSDT', Date.UTC(2026, 1, 1))))!,
      );
      assert.equal(
        february.openTimeMs.length,
        rowsBefore(Date.UTC(2026, 2, 1)) - rowsBefore(Date.UTC(2026, 1, 1)),
      );
      assert.equal(february.openTimeMs[0], Date.UTC(2026, 1, 1));
      const monthStats = (fromMs: number, toMs: number) => ({
        rows: rowsBefore(toMs) - rowsBefore(fromMs),
        firstOpenTimeMs: multiMonth!.openTimeMs[rowsBefore(fromMs)],
        lastOpenTimeMs: multiMonth!.openTimeMs[rowsBefore(toMs) - 1],
      });
      assert.deepEqual(await readWatermark(store, 'DOTUSDT'), {
        symbol: 'DOTUSDT',
        firstOpenTimeMs: multiMonth!.openTimeMs[0],
        lastOpenTimeMs: multiMonth!.openTimeMs.at(-1),
        partitions: {
          '2026-01': monthStats(0, Date.UTC(2026, 1, 1)),
          '2026-02': monthStats(Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)),
          '2026-03': monthStats(Date.UTC(2026, 2, 1), Date.UTC(2026, 3, 1)),
          '2026-04': monthStats(Date.UTC(2026, 3, 1), Infinity),
        },
      });
    });
  });

  it('re-writing the same rows adds nothing and writes no object', async () => {
    await withTempStore(async (inner) => {
      await writeKlines(inner, days(0, 2));
      const store = new FlakyStore(inner);
      assert.deepEqual(await writeKlines(store, days(0, 2)), {
        rowsAdded: 0,
        partitionsWritten: 0,
        replaced: [],
      });
      assert.equal(store.puts, 0);
    });
  });

  it('overlapping writes merge by open time and count only new candles', async () => {
    await withTempStore(async (store) => {
      // half of day 1 first, then days 1-2 whole: the month gains day 1's second half and day 2
      await writeKlines(store, sliceColumns(month, 0, DAY_ROWS / 2));
      const result = await writeKlines(store, days(0, 2));
      assert.deepEqual(result, { rowsAdded: DAY_ROWS / 2 + DAY_ROWS, partitionsWritten: 1, replaced: [] });
      const back = await readSymbol(store, 'DOTUSDT');
      for (const field of KLINE_COLUMN_FIELDS) assert.deepEqual(back[field], days(0, 2)[field], field);
    });
  });

  it('a candle that arrives again with other values is a conflict naming the minute and both values; the lake is unchanged', async () => {
    await withTempStore(async (store, dir) => {
      await writeKlines(store, days(0, 1));
      const before = await lakeSnapshot(dir);
      // a new day plus one contradicting minute: neither may be written
      const corrected = concatColumns('DOTUSDT', [sliceColumns(month, 100, 101), days(1, 2)]);
      corrected.close[0] = 99_999;
      await assert.rejects(writeKlines(store, corrected), (error: unknown) => {
        assert.ok(error instanceof KlineConflictError);
        assert.equal(error.code, 'KLINE_CONFLICT');
        assert.equal(error.data.openTimeMs, month.openTimeMs[100]);
        assert.equal(error.data.field, 'close');
        assert.equal(error.data.stored.close, month.close[100]);
        assert.equal(error.data.incoming.close, 99_999);
        assert.match(
          error.message,
          /2026-02-01T01:40:00.000Z: the lake holds close 1.543 but the source says 99999/,
        );
        return true;
      });
      assert.deepEqual(await lakeSnapshot(dir), before);
    });
  });

  it('with overwrite, the new values replace the stored candle and the result records what was replaced', async () => {
    await withTempStore(async (store) => {
      await writeKlines(store, days(0, 1));
      const corrected = concatColumns('DOTUSDT', [sliceColumns(month, 100, 101)]);
      corrected.close[0] = corrected.close[0]! * 1.01;
      const result = await writeKlines(store, corrected, { overwrite: true });
      assert.equal(result.rowsAdded, 0);
      assert.equal(result.partitionsWritten, 1);
      assert.equal(result.replaced.length, 1);
      assert.equal(result.replaced[0]!.openTimeMs, month.openTimeMs[100]);
      assert.equal(result.replaced[0]!.stored.close, month.close[100]);
      assert.equal(result.replaced[0]!.incoming.close, corrected.close[0]);
      const stored = await parquetToKlines(
        'DOTUSDT',
        (await store.get(partitionKey('DOTUSDT', month.openTimeMs[0]!)))!,
      );
      assert.equal(stored.close[100], corrected.close[0]);
      assert.equal(stored.close[99], month.close[99]);
    });
  });

  it('a store failing part-way leaves only whole partitions, no watermark, and a re-run completes', async () => {
    await withTempStore(async (inner) => {
      const failing = new FlakyStore(inner, 3);
      await assert.rejects(
        writeKlines(failing, multiMonth!, { concurrency: 1 }),
        /injected failure on put #3/,
      );
      assert.equal(await inner.get(watermarkKey('DOTUSDT')), undefined);
      const keys = await inner.list('curated/klines/');
      assert.equal(keys.length, 2);
      const march = Date.UTC(2026, 2, 1);
      const stored = await Promise.all(
        keys.map(
          async (key) => (await parquetToKlines('DOTUSDT', (await inner.get(key))!, key)).openTimeMs.length,
        ),
      );
      assert.equal(stored[0]! + stored[1]!, rowsBefore(march), 'January and February are whole');
      const rerun = await writeKlines(inner, multiMonth!);
      assert.deepEqual(rerun, {
        rowsAdded: multiMonth!.openTimeMs.length - rowsBefore(march),
        partitionsWritten: 2,
        replaced: [],
      });
      assert.equal((await readWatermark(inner, 'DOTUSDT'))?.lastOpenTimeMs, multiMonth!.openTimeMs.at(-1));
    });
  });
});
