import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardReturns } from '../../src/features/targets.js';
import { parseTimeMs } from '../../src/time.js';
import { handFrame } from '../support/hand-frame.js';
import { realMonthFrame } from '../support/real-frame.js';

describe('forwardReturns', () => {
  it('is close[t+h] / close[t] - 1 on the real month, checked by hand on a few rows', () => {
    const frame = realMonthFrame(['LINKUSDT', 'DOTUSDT']);
    const targets = forwardReturns(frame, 15);
    for (const row of [0, 1, 777, 20_000, frame.length - 16]) {
      frame.symbols.forEach((symbol, coin) => {
        const close = frame.columns[symbol]!.close;
        const expected = close[row + 15]! / close[row]! - 1;
        assert.equal(targets.mask[row * 2 + coin], 1);
        assert.ok(Math.abs(targets.values[row * 2 + coin]! - expected) < 1e-7, `${symbol} row ${row}`);
      });
    }
  });

  it('masks the last h minutes, whose future is beyond the frame', () => {
    const frame = realMonthFrame(['LINKUSDT']);
    const targets = forwardReturns(frame, 15);
    assert.equal(
      targets.mask.subarray(frame.length - 15).reduce((a, b) => a + b, 0),
      0,
    );
    assert.equal(targets.mask[frame.length - 16], 1);
  });

  it('masks a target when either of its candles is missing, and leaves 0 in its place', () => {
    const closes = [10, 11, null, 12, 13, 14, 15];
    const frame = handFrame(parseTimeMs('2026-02-01'), {
      AAAUSDT: closes.map((close) => (close === null ? null : { close })),
    });
    const targets = forwardReturns(frame, 2);
    assert.deepEqual(Array.from(targets.mask), [0, 1, 0, 1, 1, 0, 0]);
    assert.ok(Math.abs(targets.values[1]! - (12 / 11 - 1)) < 1e-7);
    assert.equal(targets.values[0], 0);
    assert.equal(targets.values[2], 0);
  });
});
