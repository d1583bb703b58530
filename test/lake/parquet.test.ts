import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { klinesToParquet, parquetToKlines } from '../../src/lake/parquet.js';
import { allocateColumns, KLINE_COLUMN_FIELDS, sliceColumns } from '../../src/market/kline-columns.js';
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

  it('the footer declares required int64/double columns and open_time min/max for query engines', () => {
    const bytes = klinesToParquet(day);
    const footer = parquetMetadata(bytes);
    assert.equal(footer.num_rows, BigInt(DAY_ROWS));
    assert.deepEqual(
      footer.schema.slice(1).map(({ name, type, repetition_type }) => `${name}:${type}:${repetition_type}`),
      [
        'open_time:INT64:REQUIRED',
        ...['open', 'high', 'low', 'close', 'volume', 'quote_volume'].map(
          (name) => `${name}:DOUBLE:REQUIRED`,
        ),
        'trades:INT64:REQUIRED',
        ...['taker_buy_volume', 'taker_buy_quote_volume'].map((name) => `${name}:DOUBLE:REQUIRED`),
      ],
    );
    const openTime = footer.row_groups[0]!.columns[0]!.meta_data!;
    assert.deepEqual(openTime.encodings, ['DELTA_BINARY_PACKED']);
    assert.equal(openTime.statistics?.min_value, BigInt(day.openTimeMs[0]!));
    assert.equal(openTime.statistics?.max_value, BigInt(day.openTimeMs[DAY_ROWS - 1]!));
    assert.deepEqual(
      footer.key_value_metadata?.find(({ key }) => key === 'alpha15.symbol'),
      { key: 'alpha15.symbol', value: 'LINKUSDT' },
    );
  });

  it('negative, huge and non-finite values round-trip, and an empty partition reads back empty', async () => {
    const odd = allocateColumns('ODD', 3);
    odd.openTimeMs.set([-60_000, 0, 2 ** 52]);
    odd.trades.set([-5, 2 ** 40, 2 ** 53 - 1]);
    odd.open.set([-0, Number.NaN, Number.POSITIVE_INFINITY]);
    odd.volume.set([Number.MIN_VALUE, -Number.MAX_VALUE, 1e-300]);
    const back = await parquetToKlines('ODD', klinesToParquet(odd));
    for (const field of KLINE_COLUMN_FIELDS) assert.deepEqual(back[field], odd[field], field);
    const empty = await parquetToKlines('ODD', klinesToParquet(allocateColumns('ODD', 0)));
    assert.equal(empty.openTimeMs.length, 0);
  });

  it('bytes that are not Parquet are reported as a corrupt partition, naming it', async () => {
    const truncated = klinesToParquet(day).subarray(0, 1000);
    await assert.rejects(parquetToKlines('LINKUSDT', truncated, 'curated/klines/x.parquet'), {
      name: 'CorruptPartitionError',
      message: /curated\/klines\/x\.parquet/,
    });
  });
});
