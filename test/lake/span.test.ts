/**
 * The lake's span: the minutes every symbol's watermark covers, what train, simulate and tune read
 * when a range end is left open.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NoTrainingDataError, resolveLakeRange } from '../../src/lake/span.js';
import { commitWatermark } from '../../src/lake/watermark.js';
import { MINUTE_MS } from '../../src/time.js';
import { withTempStore } from '../support/lake.js';

const T0 = Date.UTC(2026, 1, 1);

test('an open range is the minutes every symbol covers: the latest first candle to one past the earliest last', () =>
  withTempStore(async (store) => {
    await commitWatermark(store, 'AAAUSDT', {
      '2026-02': { rows: 100, firstOpenTimeMs: T0, lastOpenTimeMs: T0 + 99 * MINUTE_MS },
    });
    await commitWatermark(store, 'BBBUSDT', {
      '2026-02': { rows: 80, firstOpenTimeMs: T0 + 10 * MINUTE_MS, lastOpenTimeMs: T0 + 89 * MINUTE_MS },
    });
    const symbols = ['AAAUSDT', 'BBBUSDT'];
    assert.deepEqual(await resolveLakeRange(store, symbols, {}), {
      fromMs: T0 + 10 * MINUTE_MS,
      toMs: T0 + 90 * MINUTE_MS,
    });
    assert.deepEqual(await resolveLakeRange(store, symbols, { fromMs: T0 + 50 * MINUTE_MS }), {
      fromMs: T0 + 50 * MINUTE_MS,
      toMs: T0 + 90 * MINUTE_MS,
    });
    assert.deepEqual(await resolveLakeRange(store, symbols, { toMs: T0 + 20 * MINUTE_MS }), {
      fromMs: T0 + 10 * MINUTE_MS,
      toMs: T0 + 20 * MINUTE_MS,
    });
  }));

test('a symbol the lake holds nothing of fails with NO_TRAINING_DATA naming it; a closed range reads no watermark', () =>
  withTempStore(async (store) => {
    await commitWatermark(store, 'AAAUSDT', {
      '2026-02': { rows: 10, firstOpenTimeMs: T0, lastOpenTimeMs: T0 + 9 * MINUTE_MS },
    });
    await assert.rejects(resolveLakeRange(store, ['AAAUSDT', 'CCCUSDT'], { fromMs: T0 }), (error) => {
      assert.ok(error instanceof NoTrainingDataError);
      assert.equal(error.code, 'NO_TRAINING_DATA');
      assert.equal(error.data.symbol, 'CCCUSDT');
      return true;
    });
    // CCCUSDT has no watermark: reading it would fail
    const closed = { fromMs: T0, toMs: T0 + 5 * MINUTE_MS };
    assert.deepEqual(await resolveLakeRange(store, ['CCCUSDT'], closed), closed);
  }));
