import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionKey, watermarkKey } from '../../src/lake/layout.js';
import { parquetToKlines } from '../../src/lake/parquet.js';
import { readSymbol } from '../../src/lake/reader.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { writeKlines } from '../../src/lake/writer.js';
import { concatColumns, KLINE_COLUMN_FIELDS, sliceColumns } from '../../src/market/kline-columns.js';
import { FlakyStore, realMonthColumns, withTempStore } from '../support/lake.js';

const DAY_ROWS = 1440;
const month = realMonthColumns('DOTUSDT');
const days = (first: number, end: number) => sliceColumns(month, first * DAY_ROWS, end * DAY_ROWS);

describe('writeKlines', () => {
  it('writes one Hive-style partition per UTC day and a watermark covering them', async () => {
    await withTempStore(async (store) => {
      const result = await writeKlines(store, days(0, 3));
      assert.deepEqual(result, { rowsAdded: 3 * DAY_ROWS, partitionsWritten: 3 });
      assert.deepEqual(await store.list('curated/klines/'), [
        'curated/klines/symbol=DOTUSDT/date=2026-02-01/klines.parquet',
        'curated/klines/symbol=DOTUSDT/date=2026-02-02/klines.parquet',
        'curated/klines/symbol=DOTUSDT/date=2026-02-03/klines.parquet',
      ]);
      assert.deepEqual(await readWatermark(store, 'DOTUSDT'), {
        symbol: 'DOTUSDT',
        firstOpenTimeMs: month.openTimeMs[0],
        lastOpenTimeMs: month.openTimeMs[3 * DAY_ROWS - 1],
      });
    });
  });

  it('re-writing the same rows adds nothing and writes no object', async () => {
    await withTempStore(async (inner) => {
      await writeKlines(inner, days(0, 2));
      const store = new FlakyStore(inner);
      assert.deepEqual(await writeKlines(store, days(0, 2)), { rowsAdded: 0, partitionsWritten: 0 });
      assert.equal(store.puts, 0);
    });
  });

  it('overlapping writes merge by open time and count only new candles', async () => {
    await withTempStore(async (store) => {
      // half of day 1 first, then days 1-2 whole: day 1 gains its second half, day 2 is new
      await writeKlines(store, sliceColumns(month, 0, DAY_ROWS / 2));
      const result = await writeKlines(store, days(0, 2));
      assert.deepEqual(result, { rowsAdded: DAY_ROWS / 2 + DAY_ROWS, partitionsWritten: 2 });
      const back = await readSymbol(store, 'DOTUSDT');
      for (const field of KLINE_COLUMN_FIELDS) assert.deepEqual(back[field], days(0, 2)[field], field);
    });
  });

  it('a candle that arrives again with new values replaces the stored one', async () => {
    await withTempStore(async (store) => {
      await writeKlines(store, days(0, 1));
      const corrected = concatColumns('DOTUSDT', [sliceColumns(month, 100, 101)]);
      corrected.close[0] = corrected.close[0]! * 1.01;
      assert.deepEqual(await writeKlines(store, corrected), { rowsAdded: 0, partitionsWritten: 1 });
      const stored = await parquetToKlines('DOTUSDT', (await store.get(partitionKey('DOTUSDT', month.openTimeMs[0]!)))!);
      assert.equal(stored.close[100], corrected.close[0]);
      assert.equal(stored.close[99], month.close[99]);
    });
  });

  it('a store failing part-way leaves only whole partitions, no watermark, and a re-run completes', async () => {
    await withTempStore(async (inner) => {
      const failing = new FlakyStore(inner, 4);
      await assert.rejects(writeKlines(failing, days(0, 6), { concurrency: 1 }), /injected failure on put #4/);
      assert.equal(await inner.get(watermarkKey('DOTUSDT')), undefined);
      const keys = await inner.list('curated/klines/');
      assert.equal(keys.length, 3);
      for (const key of keys) {
        const partition = await parquetToKlines('DOTUSDT', (await inner.get(key))!, key);
        assert.equal(partition.openTimeMs.length, DAY_ROWS, `${key} is whole`);
      }
      const rerun = await writeKlines(inner, days(0, 6));
      assert.deepEqual(rerun, { rowsAdded: 3 * DAY_ROWS, partitionsWritten: 3 });
      assert.equal((await readWatermark(inner, 'DOTUSDT'))?.lastOpenTimeMs, month.openTimeMs[6 * DAY_ROWS - 1]);
    });
  });
});
