/**
 * The Glue catalog's klines table against what ingest really writes: DuckDB (an engine independent of
 * our writer) reads a real month's partition, and its schema is the table's columns with its types, the
 * Hive partition keys are the table's partition keys, and the location template names that folder.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { KLINES_TABLE } from '../../src/lake/catalog.js';
import { writeKlines } from '../../src/lake/writer.js';
import { realMonthColumns, withTempStore } from '../support/lake.js';

const DUCKDB_TYPES = { bigint: 'BIGINT', double: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN' };

test("DuckDB reads an ingested partition with exactly the klines table's columns, types and partition keys", async () => {
  await withTempStore(async (store, dir) => {
    await writeKlines(store, realMonthColumns('FILUSDT'));
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const files = `${path.join(dir, KLINES_TABLE.prefix)}*/*/${KLINES_TABLE.fileName}`;
    const described = (
      await connection.runAndReadAll(
        `describe select * from read_parquet('${files}', hive_partitioning = true, hive_types_autocast = false)`,
      )
    ).getRowObjectsJS();
    const columns = described.map((row) => [row.column_name, row.column_type]);
    const dataColumns = KLINES_TABLE.columns.length;
    assert.deepEqual(
      columns.slice(0, dataColumns),
      KLINES_TABLE.columns.map((column) => [column.name, DUCKDB_TYPES[column.type]]),
    );
    // DuckDB appends the Hive keys found in the path (in its own order); they are the table's partition keys
    assert.deepEqual(
      columns.slice(dataColumns).sort(),
      KLINES_TABLE.partitionKeys.map((key) => [key.name, 'VARCHAR']).sort(),
    );
    const partitions = (
      await connection.runAndReadAll(
        `select symbol, month, filename, count(*) as candles from read_parquet('${files}', hive_partitioning = true, hive_types_autocast = false, filename = true) group by all`,
      )
    ).getRowObjectsJS();
    assert.equal(partitions.length, 1);
    const { symbol, month, filename, candles } = partitions[0]!;
    assert.deepEqual([symbol, month, Number(candles)], ['FILUSDT', '2026-02', 40_320]);
    const folder = KLINES_TABLE.locationTemplate
      .replace('${symbol}', String(symbol))
      .replace('${month}', String(month));
    assert.equal(filename, path.join(dir, folder, KLINES_TABLE.fileName));
  });
});
