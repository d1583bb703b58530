import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { klinesToParquet, parquetPartitionStats, parquetToKlines } from '../../src/lake/parquet.js';
import { KLINE_COLUMN_FIELDS, sliceColumns } from '../../src/market/kline-columns.js';
import { realMonthColumns } from '../support/lake.js';

const DAY_ROWS = 1440;
const month = realMonthColumns('LINKUSDT');
const day = sliceColumns(month, 3 * DAY_ROWS, 4 * DAY_ROWS);

/** Debian's python3 with pandas, when it can read Parquet (it needs pyarrow or fastparquet). */
function pandasParquetSkipReason(): string | false {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import pandas; pandas.io.parquet.get_engine("auto")'], { encoding: 'utf8' });
  if (probe.error) return '/usr/bin/python3 is not installed';
  if (probe.status !== 0) {
    return probe.stderr.includes('No module named') && probe.stderr.includes('pandas')
      ? 'pandas is not installed for /usr/bin/python3'
      : 'pandas is installed but has no Parquet engine (pyarrow or fastparquet)';
  }
  return false;
}

describe('Parquet partitions', () => {
  it('a real day of candles round-trips bit for bit', async () => {
    const back = await parquetToKlines('LINKUSDT', klinesToParquet(day));
    assert.equal(back.symbol, 'LINKUSDT');
    for (const field of KLINE_COLUMN_FIELDS) assert.deepEqual(back[field], day[field], field);
  });

  it('the footer alone gives the row count and open-time range', async () => {
    const stats = await parquetPartitionStats(klinesToParquet(day));
    assert.deepEqual(stats, { rows: DAY_ROWS, firstOpenTimeMs: day.openTimeMs[0], lastOpenTimeMs: day.openTimeMs[DAY_ROWS - 1] });
  });

  it('bytes that are not Parquet are reported as a corrupt partition, naming it', async () => {
    const truncated = klinesToParquet(day).subarray(0, 1000);
    await assert.rejects(parquetToKlines('LINKUSDT', truncated, 'curated/klines/x.parquet'), {
      name: 'CorruptPartitionError',
      message: /curated\/klines\/x\.parquet/,
    });
  });

  it('pandas reads a partition with the same values', { skip: pandasParquetSkipReason() }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-pandas-'));
    try {
      const file = path.join(dir, 'klines.parquet');
      await writeFile(file, klinesToParquet(day));
      const script = [
        'import json, sys, pandas as pd',
        'df = pd.read_parquet(sys.argv[1])',
        'print(json.dumps({"columns": list(df.columns), "dtypes": [str(t) for t in df.dtypes],',
        '  "open_time": [int(v) for v in df["open_time"]], "close": [float(v) for v in df["close"]],',
        '  "trades": [int(v) for v in df["trades"]]}))',
      ].join('\n');
      const run = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(run.status, 0, run.stderr);
      const read = JSON.parse(run.stdout) as { columns: string[]; dtypes: string[]; open_time: number[]; close: number[]; trades: number[] };
      assert.deepEqual(read.columns.slice(0, 2), ['open_time', 'open']);
      assert.equal(read.dtypes[0], 'int64');
      assert.deepEqual(read.open_time, [...day.openTimeMs]);
      assert.deepEqual(read.close, [...day.close]);
      assert.deepEqual(read.trades, [...day.trades]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
