import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitChronologically } from '../../src/features/dataset.js';
import { buildFeatures } from '../../src/features/features.js';
import { StatsMismatchError, applyStats, fitStats, normStatsSchema } from '../../src/features/normalise.js';
import { parseTimeMs } from '../../src/time.js';
import { handFrame } from '../support/hand-frame.js';
import { realMonthFrame } from '../support/real-frame.js';

const START_MS = parseTimeMs('2026-02-01T00:00');

describe('normalisation statistics', () => {
  const frame = realMonthFrame(['ALGOUSDT', 'LTCUSDT', 'NEARUSDT']);
  const split = splitChronologically(frame.length, {
    validationFraction: 0.15,
    testFraction: 0.15,
    embargoMinutes: 527,
  });

  it('come from the training split only: changing later minutes leaves them unchanged', () => {
    const before = fitStats(buildFeatures(frame), split.train);
    const altered = structuredClone(frame);
    for (const symbol of altered.symbols) {
      const columns = altered.columns[symbol]!;
      for (let row = split.train.toRow; row < altered.length; row++) {
        columns.close[row]! *= 1.5;
        columns.volume[row]! *= 3;
      }
    }
    const after = fitStats(buildFeatures(altered), split.train);
    assert.deepEqual(after, before);
    const overAll = fitStats(buildFeatures(altered), { fromRow: 0, toRow: altered.length });
    assert.notDeepEqual(overAll.mean, before.mean, 'the alteration is visible when later rows are included');
  });

  it('standardise the training split to mean 0 and std 1 per coin and feature', () => {
    const features = buildFeatures(frame);
    const stats = fitStats(features, split.train);
    applyStats(features, stats);
    const refit = fitStats(features, split.train);
    refit.mean.forEach((mean) => assert.ok(Math.abs(mean) < 1e-4, `mean ${mean}`));
    refit.std.forEach((std) => assert.ok(Math.abs(std - 1) < 1e-3, `std ${std}`));
  });

  it('turn every missing entry into exactly 0, never a sentinel', () => {
    const candles = [{ close: 1 }, { close: 2 }, null, null, { close: 3 }, { close: 2.5 }, { close: 2.7 }];
    const frame = handFrame(START_MS, { AAAUSDT: candles, BBBUSDT: candles.map((c) => c ?? { close: 2 }) });
    const features = buildFeatures(frame, { timeChannels: true });
    const timeChannelsBefore = features.values.slice(16, 20);
    applyStats(features, fitStats(features, { fromRow: 0, toRow: features.length }));
    assert.deepEqual(
      features.values.slice(16, 20),
      timeChannelsBefore,
      'time channels are already scaled and stay',
    );
    for (let row = 0; row < features.length; row++) {
      for (let coin = 0; coin < 2; coin++) {
        const at = row * features.channels + coin * 8;
        const entries = Array.from(features.values.subarray(at, at + 8));
        if (features.valid[row * 2 + coin] === 0)
          assert.deepEqual(entries, Array(8).fill(0), `row ${row} coin ${coin}`);
        else assert.ok(entries.every(Number.isFinite));
      }
    }
    assert.equal(features.valid[4 * 2], 0, 'the candle after a gap has no previous close');
  });

  it('round-trip through stats.json and refuse other symbols or feature sets', () => {
    const features = buildFeatures(frame);
    const stats = normStatsSchema.parse(JSON.parse(JSON.stringify(fitStats(features, split.train))));
    const otherSymbols = buildFeatures(realMonthFrame(['ALGOUSDT', 'NEARUSDT', 'LTCUSDT']));
    assert.throws(() => applyStats(otherSymbols, stats), StatsMismatchError);
    assert.throws(() => applyStats(buildFeatures(frame, { timeChannels: true }), stats), StatsMismatchError);
    assert.throws(
      () => applyStats(features, { ...stats, featureNames: stats.featureNames.slice(1) }),
      StatsMismatchError,
    );
    applyStats(features, stats);
    assert.throws(
      () => applyStats(features, stats),
      StatsMismatchError,
      'applying twice would double-normalise',
    );
    assert.throws(() => normStatsSchema.parse({ ...stats, std: stats.std.map(() => 0) }));
  });
});
