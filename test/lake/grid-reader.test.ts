import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignToGrid, gapReport } from '../../src/lake/grid.js';
import { readFrame, readSymbol } from '../../src/lake/reader.js';
import { writeKlines } from '../../src/lake/writer.js';
import { concatColumns, sliceColumns } from '../../src/market/kline-columns.js';
import { MINUTE_MS } from '../../src/time.js';
import { realMonthColumns, withTempStore } from '../support/lake.js';

const DAY_ROWS = 1440;
const link = sliceColumns(realMonthColumns('LINKUSDT'), 0, 2 * DAY_ROWS);
const near = sliceColumns(realMonthColumns('NEARUSDT'), 0, 2 * DAY_ROWS);
const startMs = link.openTimeMs[0]!;
// NEARUSDT loses 90 minutes across the day boundary (rows 1400..1489) and its first 10 minutes
const GAP_START = 1400;
const GAP_END = 1490;
const nearWithGap = concatColumns('NEARUSDT', [
  sliceColumns(near, 10, GAP_START),
  sliceColumns(near, GAP_END, near.openTimeMs.length),
]);

describe('alignToGrid and gapReport', () => {
  it('puts real candles on their minute and leaves gaps as present=0 with NaN, never a filled price', () => {
    const frame = alignToGrid([link, nearWithGap], startMs, startMs + 2 * DAY_ROWS * MINUTE_MS);
    assert.equal(frame.length, 2 * DAY_ROWS);
    const nearGrid = frame.columns.NEARUSDT!;
    for (const row of [0, 9, GAP_START, GAP_END - 1]) {
      assert.equal(nearGrid.present[row], 0, `row ${row}`);
      assert.ok(
        Number.isNaN(nearGrid.close[row]!) && Number.isNaN(nearGrid.volume[row]!),
        `row ${row} is NaN`,
      );
    }
    for (const row of [10, GAP_START - 1, GAP_END, 2 * DAY_ROWS - 1]) {
      assert.equal(nearGrid.present[row], 1);
      assert.equal(nearGrid.close[row], near.close[row]);
    }
    assert.equal(
      frame.columns.LINKUSDT!.present.reduce((sum, flag) => sum + flag, 0),
      2 * DAY_ROWS,
    );
  });

  it('reports rows, missing minutes and the longest gap per symbol', () => {
    const frame = alignToGrid([link, nearWithGap], startMs, startMs + 2 * DAY_ROWS * MINUTE_MS);
    const gapMinutes = GAP_END - GAP_START;
    assert.deepEqual(gapReport(frame), {
      LINKUSDT: { rows: 2 * DAY_ROWS, missing: 0, longestGapMinutes: 0 },
      NEARUSDT: {
        rows: 2 * DAY_ROWS - 10 - gapMinutes,
        missing: 10 + gapMinutes,
        longestGapMinutes: gapMinutes,
      },
    });
    // on columns, only the minutes between the first and the last candle count as missing
    assert.deepEqual(gapReport([nearWithGap]).NEARUSDT, {
      rows: 2 * DAY_ROWS - 10 - gapMinutes,
      missing: gapMinutes,
      longestGapMinutes: gapMinutes,
    });
  });
});

describe('readFrame and readSymbol', () => {
  it('reads two symbols from the lake onto one grid with the gap intact', async () => {
    await withTempStore(async (store) => {
      await writeKlines(store, link);
      await writeKlines(store, nearWithGap);
      // a range that starts mid-day and ends mid-day only takes the minutes inside it
      const fromMs = startMs + 1000 * MINUTE_MS;
      const toMs = startMs + 1700 * MINUTE_MS;
      const frame = await readFrame(store, ['LINKUSDT', 'NEARUSDT'], fromMs, toMs);
      assert.equal(frame.startTimeMs, fromMs);
      assert.equal(frame.length, 700);
      assert.deepEqual(frame, alignToGrid([link, nearWithGap], fromMs, toMs));
      assert.equal(frame.columns.NEARUSDT!.present[GAP_START - 1000], 0);
      assert.ok(Number.isNaN(frame.columns.NEARUSDT!.open[GAP_START - 1000]!));
    });
  });

  it('a symbol the lake does not hold comes back as all gap', async () => {
    await withTempStore(async (store) => {
      await writeKlines(store, link);
      const frame = await readFrame(store, ['LINKUSDT', 'BTCUSDT'], startMs, startMs + 60 * MINUTE_MS);
      assert.equal(
        frame.columns.BTCUSDT!.present.reduce((sum, flag) => sum + flag, 0),
        0,
      );
      assert.equal(
        frame.columns.LINKUSDT!.present.reduce((sum, flag) => sum + flag, 0),
        60,
      );
    });
  });

  it('readSymbol returns exactly the candles in [from, to)', async () => {
    await withTempStore(async (store) => {
      await writeKlines(store, link);
      const fromMs = startMs + 5 * MINUTE_MS;
      const back = await readSymbol(store, 'LINKUSDT', fromMs, startMs + 2000 * MINUTE_MS);
      assert.equal(back.openTimeMs.length, 1995);
      assert.equal(back.openTimeMs[0], fromMs);
      assert.deepEqual(back.high, link.high.subarray(5, 2000));
    });
  });
});
