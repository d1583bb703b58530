/**
 * The lake is meant for standard tools (Athena, DuckDB, pandas). These cases read what alpha15 wrote
 * with DuckDB (npm @duckdb/node-api, a native engine independent of the JavaScript writer) and with
 * Debian's pandas when it has a Parquet engine, and compare against the source candles.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { writeKlines } from '../../src/lake/writer.js';
import { partitionKey } from '../../src/lake/layout.js';
import type { KlineColumns } from '../../src/market/kline.js';
import { realMonthColumns, withTempStore } from '../support/lake.js';

const SYMBOLS = ['ALGOUSDT', 'LTCUSDT'];
let months: KlineColumns[] = [];
before(() => {
  months = SYMBOLS.map((symbol) => realMonthColumns(symbol));
});

const sum = (values: Float64Array) => values.reduce((total, value) => total + value, 0);

async function loadDuckDb() {
  try {
    return await import('@duckdb/node-api');
  } catch {
    return undefined;
  }
}
const duckdb = await loadDuckDb();

function pandasParquetSkipReason(): string | false {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import pandas; pandas.io.parquet.get_engine("auto")'], {
    encoding: 'utf8',
  });
  if (probe.error) return '/usr/bin/python3 is not installed';
  if (probe.status !== 0) {
    return /No module named .pandas/.test(probe.stderr)
      ? 'pandas is not installed for /usr/bin/python3'
      : 'pandas is installed but has no Parquet engine (pyarrow or fastparquet)';
  }
  return false;
}

describe('the lake read by other tools', () => {
  it(
    'DuckDB reads the Hive-partitioned lake as one table with the same candles',
    { skip: duckdb ? false : '@duckdb/node-api is not installed' },
    async () => {
      await withTempStore(async (store, dir) => {
        for (const month of months) await writeKlines(store, month);
        const instance = await duckdb!.DuckDBInstance.create(':memory:');
        const connection = await instance.connect();
        const table = `read_parquet('${path.join(dir, 'curated/klines')}/*/*/*.parquet', hive_partitioning = true)`;
        const schema = (
          await connection.runAndReadAll(`describe select * from ${table}`)
        ).getRowObjectsJson();
        const typeOf = Object.fromEntries(schema.map((row) => [row.column_name, row.column_type]));
        assert.deepEqual(typeOf, {
          open_time: 'BIGINT',
          open: 'DOUBLE',
          high: 'DOUBLE',
          low: 'DOUBLE',
          close: 'DOUBLE',
          volume: 'DOUBLE',
          quote_volume: 'DOUBLE',
          trades: 'BIGINT',
          taker_buy_volume: 'DOUBLE',
          taker_buy_quote_volume: 'DOUBLE',
          symbol: 'VARCHAR',
          month: 'VARCHAR',
        });
        const rows = (
          await connection.runAndReadAll(
            `select symbol, month, count(*) as n, min(open_time) as first, max(open_time) as last, sum(trades) as trades, sum(close) as close_sum
           from ${table} group by symbol, month order by symbol`,
          )
        ).getRowObjectsJson();
        assert.deepEqual(
          rows.map(({ close_sum: _closeSum, ...counts }) => counts),
          months.map((month) => ({
            symbol: month.symbol,
            month: '2026-02',
            n: String(month.openTimeMs.length),
            first: String(month.openTimeMs[0]),
            last: String(month.openTimeMs.at(-1)),
            trades: String(sum(month.trades)),
          })),
        );
        rows.forEach((row, index) =>
          assert.ok(
            Math.abs(Number(row.close_sum) - sum(months[index]!.close)) < 1e-6,
            `${row.symbol} close sum`,
          ),
        );
        // the values themselves, bit for bit, on a sample minute
        const minute = months[1]!.openTimeMs[12_345]!;
        const [candle] = (
          await connection.runAndReadAll(
            `select open, high, low, close, volume, taker_buy_quote_volume from ${table} where symbol = 'LTCUSDT' and open_time = ${minute}`,
          )
        ).getRowObjects();
        assert.deepEqual(candle, {
          open: months[1]!.open[12_345],
          high: months[1]!.high[12_345],
          low: months[1]!.low[12_345],
          close: months[1]!.close[12_345],
          volume: months[1]!.volume[12_345],
          taker_buy_quote_volume: months[1]!.takerBuyQuoteVolume[12_345],
        });
        connection.closeSync();
      });
    },
  );

  it('pandas reads a partition with the same values', { skip: pandasParquetSkipReason() }, async () => {
    await withTempStore(async (store, dir) => {
      const month = months[0]!;
      await writeKlines(store, month);
      const file = path.join(dir, partitionKey(month.symbol, month.openTimeMs[0]!));
      const script = [
        'import json, sys, pandas as pd',
        'df = pd.read_parquet(sys.argv[1])',
        'print(json.dumps({"columns": list(df.columns), "dtypes": [str(t) for t in df.dtypes],',
        '  "open_time": [int(v) for v in df["open_time"]], "close": [float(v) for v in df["close"]],',
        '  "trades": [int(v) for v in df["trades"]]}))',
      ].join('\n');
      const run = spawnSync('/usr/bin/python3', ['-c', script, file], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
      assert.equal(run.status, 0, run.stderr);
      const read = JSON.parse(run.stdout) as {
        columns: string[];
        dtypes: string[];
        open_time: number[];
        close: number[];
        trades: number[];
      };
      assert.deepEqual(read.columns.slice(0, 2), ['open_time', 'open']);
      assert.equal(read.dtypes[0], 'int64');
      assert.deepEqual(read.open_time, [...month.openTimeMs]);
      assert.deepEqual(read.close, [...month.close]);
      assert.deepEqual(read.trades, [...month.trades]);
    });
  });
});
