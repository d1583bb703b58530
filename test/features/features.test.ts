import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FEATURE_NAMES, buildFeatures } from '../../src/features/features.js';
import { parseTimeMs } from '../../src/time.js';
import { handFrame } from '../support/hand-frame.js';
import { realMonthFrame } from '../support/real-frame.js';

const START_MS = parseTimeMs('2026-02-01T00:00'); // a Sunday, midnight UTC

describe('buildFeatures', () => {
  it('computes the 8 features of a minute from its candle and the previous close', () => {
    const frame = handFrame(START_MS, {
      AAAUSDT: [
        { close: 100 },
        {
          open: 101,
          high: 103,
          low: 99,
          close: 102,
          volume: 7,
          quoteVolume: 714,
          trades: 12,
          takerBuyBaseVolume: 5,
        },
      ],
    });
    const features = buildFeatures(frame);
    assert.equal(features.featureCount, FEATURE_NAMES.length);
    assert.equal(features.channels, 8);
    const row1 = Array.from(features.values.subarray(8, 16));
    const expected = [
      Math.log(1.01),
      Math.log(1.03),
      Math.log(0.99),
      Math.log(1.02),
      Math.log(8),
      Math.log(715),
      Math.log(13),
      5 / 7,
    ];
    row1.forEach((value, f) =>
      assert.ok(Math.abs(value - expected[f]!) < 1e-6, `${FEATURE_NAMES[f]}: ${value} vs ${expected[f]}`),
    );
  });

  it('marks a minute valid only when its candle and the previous one are real', () => {
    const frame = handFrame(START_MS, {
      AAAUSDT: [{ close: 1 }, { close: 2 }, null, { close: 3 }, { close: 4 }],
      BBBUSDT: [{ close: 1 }, { close: 1 }, { close: 1 }, { close: 1 }, null],
    });
    const features = buildFeatures(frame);
    // [minute][coin]
    assert.deepEqual(Array.from(features.valid), [0, 0, 1, 1, 0, 1, 0, 1, 1, 0]);
    assert.deepEqual(Array.from(features.present), [1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
    // raw features of an invalid entry are NaN, so skipping normalisation cannot go unnoticed
    assert.ok(features.values.subarray(2 * 16, 2 * 16 + 8).every(Number.isNaN));
  });

  it('gives a minute without volume a balanced taker-buy share of 0.5', () => {
    const frame = handFrame(START_MS, {
      AAAUSDT: [{ close: 1 }, { close: 1, volume: 0, quoteVolume: 0, trades: 0, takerBuyBaseVolume: 0 }],
    });
    const features = buildFeatures(frame);
    assert.equal(features.values[8 + 7], 0.5);
    assert.equal(features.values[8 + 4], 0);
  });

  it('appends sin/cos time-of-day and day-of-week channels after the coin channels', () => {
    const sixAmMonday = parseTimeMs('2026-02-02T06:00');
    const candles = Array.from({ length: 3 }, () => ({ close: 1 }));
    const features = buildFeatures(handFrame(sixAmMonday, { AAAUSDT: candles, BBBUSDT: candles }), {
      timeChannels: true,
    });
    assert.equal(features.channels, 2 * 8 + 4);
    const [todSin, todCos, dowSin, dowCos] = features.values.subarray(16, 20);
    assert.ok(
      Math.abs(todSin! - 1) < 1e-6 && Math.abs(todCos!) < 1e-6,
      'six in the morning is a quarter of the day',
    );
    assert.ok(
      Math.abs(dowSin! - Math.sin((2 * Math.PI) / 7)) < 1e-6 &&
        Math.abs(dowCos! - Math.cos((2 * Math.PI) / 7)) < 1e-6,
    );
    assert.equal(new Date(sixAmMonday).getUTCDay(), 1);
  });

  it('never looks ahead: changing candles after minute t leaves the features up to t unchanged', () => {
    const frame = realMonthFrame(['LTCUSDT', 'FILUSDT']);
    const before = buildFeatures(frame, { timeChannels: true });
    const cut = 20_000;
    for (const symbol of frame.symbols) {
      const columns = frame.columns[symbol]!;
      for (const field of ['open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const) {
        for (let row = cut + 1; row < frame.length; row++) columns[field][row]! *= 1.7;
      }
      columns.present[cut + 5] = 0;
    }
    const after = buildFeatures(frame, { timeChannels: true });
    const rowsUpToCut = (cut + 1) * before.channels;
    assert.deepEqual(after.values.subarray(0, rowsUpToCut), before.values.subarray(0, rowsUpToCut));
    assert.deepEqual(after.valid.subarray(0, (cut + 1) * 2), before.valid.subarray(0, (cut + 1) * 2));
    assert.notDeepEqual(after.values.subarray(rowsUpToCut), before.values.subarray(rowsUpToCut));
  });

  it('yields finite features for every valid minute of the real month', () => {
    const frame = realMonthFrame();
    const features = buildFeatures(frame, { timeChannels: true });
    assert.equal(features.length, 40_320);
    const coinCount = frame.symbols.length;
    let validCount = 0;
    for (let row = 0; row < features.length; row++) {
      for (let coin = 0; coin < coinCount; coin++) {
        if (features.valid[row * coinCount + coin] !== 1) continue;
        validCount++;
        const base = row * features.channels + coin * 8;
        for (let f = 0; f < 8; f++)
          assert.ok(Number.isFinite(features.values[base + f]!), `row ${row} coin ${coin} feature ${f}`);
      }
    }
    // the first minute has no previous close; every other minute of this gap-free month is valid
    assert.equal(validCount, (features.length - 1) * coinCount);
    const share = features.values[features.channels + 7]!;
    assert.ok(share >= 0 && share <= 1);
  });
});
