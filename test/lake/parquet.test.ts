import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { klinesToParquet, parquetToKlines } from '../../src/lake/parquet.js';
import { KLINE_COLUMN_FIELDS, sliceColumns } from '../../src/market/kline-columns.js';
import { realMonthColumns } from '../support/lake.js';

const DAY_ROWS = 1440;
const month = realMonthColumns('LINKUSDT');
const day = sliceColumns(month, 3 * DAY_ROWS, 4 * DAY_ROWS);

describe('Parquet partitions', () => {
  it('a real day of candles round-trips bit for bit', async () => {
    const back = await parquetToKlines('LINKUSDT', klinesToParquet(day));
    assert.equal(back.symbol, 'LINKUSDT');
    for (const field of KLINE_COLUMN_FIELDS) assert.deepEqual(back[field], day[field], field);
  });

  it('bytes that are not Parquet are reported as a corrupt partition, naming it', async () => {
    const truncated = klinesToParquet(day).subarray(0, 1000);
    await assert.rejects(parquetToKlines('LINKUSDT', truncated, 'curated/klines/x.parquet'), {
      name: 'CorruptPartitionError',
      message: /curated\/klines\/x\.parquet/,
    });
  });
});
