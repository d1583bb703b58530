import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FeaturesNotNormalisedError,
  batches,
  minimumEmbargoMinutes,
  sampleEndRows,
  splitChronologically,
  walkForwardFolds,
  windowAt,
  type RowRange,
} from '../../src/features/dataset.js';
import { buildFeatures, type FeatureMatrix } from '../../src/features/features.js';
import { applyStats, fitStats } from '../../src/features/normalise.js';
import { forwardReturns } from '../../src/features/targets.js';
import { mulberry32 } from '../../src/random.js';
import { parseTimeMs } from '../../src/time.js';
import { handFrame, type HandCandle } from '../support/hand-frame.js';

const START_MS = parseTimeMs('2026-02-01');

/** A random walk per coin with the given minutes missing. */
function walkFrame(
  length: number,
  coinCount: number,
  missing: (row: number, coin: number) => boolean,
  seed = 1,
) {
  const uniform = mulberry32(seed);
  const candles: Record<string, Array<HandCandle | null>> = {};
  for (let coin = 0; coin < coinCount; coin++) {
    let close = 100;
    candles[`C${coin}XUSDT`] = Array.from({ length }, (_, row) => {
      close *= 1 + (uniform() - 0.5) * 0.01;
      return missing(row, coin) ? null : { close, volume: 1 + uniform() * 10 };
    });
  }
  return handFrame(START_MS, candles);
}

function normalisedFeatures(frame: ReturnType<typeof walkFrame>, timeChannels = false): FeatureMatrix {
  const features = buildFeatures(frame, { timeChannels });
  applyStats(features, fitStats(features, { fromRow: 0, toRow: features.length }));
  return features;
}

function within(range: RowRange, row: number): boolean {
  return row >= range.fromRow && row < range.toRow;
}

describe('chronological splits', () => {
  it('never let a sample window or target cross a boundary, over random configurations', () => {
    const uniform = mulberry32(7);
    for (let trial = 0; trial < 40; trial++) {
      const windowMinutes = 16 + Math.floor(uniform() * 60);
      const horizonMinutes = 1 + Math.floor(uniform() * 20);
      const embargoMinutes =
        minimumEmbargoMinutes(windowMinutes, horizonMinutes) + Math.floor(uniform() * 10);
      const length = 6 * embargoMinutes + Math.floor(uniform() * 2000);
      const validationFraction = 0.1 + uniform() * 0.2;
      const testFraction = trial % 5 === 0 ? 0 : 0.1 + uniform() * 0.2;
      const strideMinutes = 1 + Math.floor(uniform() * 4);
      const frame = walkFrame(length, 2, (row, coin) => (row * 7 + coin * 13) % 97 === 0, trial);
      const features = buildFeatures(frame);
      const targets = forwardReturns(frame, horizonMinutes);
      const split = splitChronologically(length, { validationFraction, testFraction, embargoMinutes });
      const ranges = [split.train, split.validation, split.test];
      assert.equal(split.train.fromRow, 0);
      assert.ok(split.validation.fromRow - split.train.toRow >= embargoMinutes);
      if (testFraction > 0) assert.ok(split.test.fromRow - split.validation.toRow >= embargoMinutes);
      else assert.equal(split.test.toRow - split.test.fromRow, 0);
      for (const range of ranges) {
        const { endRows } = sampleEndRows(features, targets, range, {
          windowMinutes,
          horizonMinutes,
          strideMinutes,
          maxGapMinutes: 5,
        });
        for (const endRow of endRows) {
          assert.ok(
            within(range, endRow - windowMinutes + 1) && within(range, endRow + horizonMinutes),
            `trial ${trial} row ${endRow}`,
          );
          assert.equal(endRow % strideMinutes, 0);
        }
        if (range.toRow - range.fromRow > windowMinutes + horizonMinutes + strideMinutes)
          assert.ok(endRows.length > 0);
      }
    }
  });

  it('walk-forward folds expand in time, each validated on the next block after an embargo', () => {
    const folds = walkForwardFolds(10_000, 4, { embargoMinutes: 527 });
    assert.equal(folds.length, 4);
    folds.forEach((fold, i) => {
      assert.equal(fold.train.fromRow, 0);
      assert.equal(fold.validation.fromRow - fold.train.toRow, 527);
      assert.ok(fold.validation.toRow > fold.validation.fromRow);
      const previous = folds[i - 1];
      if (previous) {
        assert.ok(fold.train.toRow > previous.train.toRow, 'training grows');
        assert.ok(fold.validation.fromRow >= previous.validation.toRow, 'validation blocks do not overlap');
        assert.equal(
          fold.train.toRow,
          previous.validation.toRow,
          'the next fold trains on the previous validation block',
        );
      }
    });
    assert.equal(folds.at(-1)!.validation.toRow, 10_000);
  });
});

describe('sample selection', () => {
  it('masks a coin whose window touches a long gap, and skips a sample only when every coin is masked', () => {
    // coin 0 misses minutes 100..109 (10 > maxGap 5); both coins miss 300..309 (an exchange outage);
    // coin 1 misses 200..202 (3, a short gap that is kept)
    const frame = walkFrame(
      600,
      2,
      (row, coin) =>
        (row >= 300 && row < 310) ||
        (coin === 0 && row >= 100 && row < 110) ||
        (coin === 1 && row >= 200 && row < 203),
    );
    const features = buildFeatures(frame);
    const targets = forwardReturns(frame, 5);
    const windowMinutes = 32;
    const { endRows, targets: gapMasked } = sampleEndRows(
      features,
      targets,
      { fromRow: 0, toRow: 600 },
      {
        windowMinutes,
        strideMinutes: 1,
        maxGapMinutes: 5,
      },
    );
    const rows = new Set(endRows);
    // coin 0's long gap ends at row 109: its windows up to end row 109 + 31 lose coin 0's target only
    for (const endRow of [106, 120, 140]) {
      assert.ok(rows.has(endRow), `row ${endRow} kept for coin 1`);
      assert.equal(gapMasked.mask[endRow * 2], 0);
      assert.equal(gapMasked.mask[endRow * 2 + 1], 1);
    }
    assert.equal(gapMasked.mask[141 * 2], 1, 'the first window past the gap has coin 0 back');
    assert.equal(gapMasked.mask[205 * 2 + 1], 1, 'a 3-minute gap is tolerated');
    // the outage masks everyone from the sixth missing minute until the window has left it
    for (const endRow of [305, 320, 340]) assert.ok(!rows.has(endRow), `row ${endRow} skipped`);
    assert.ok(!rows.has(295), 'row 295 needs the close of row 300, lost in the outage');
    assert.ok(rows.has(294));
    assert.ok(rows.has(341));
    assert.equal(targets.mask[120 * 2], 1, 'the input targets are left untouched');
  });
});

describe('batches', () => {
  const frame = walkFrame(400, 3, (row, coin) => (row + coin) % 37 === 0);
  const features = normalisedFeatures(frame, true);
  const targets = forwardReturns(frame, 15);
  const windowMinutes = 24;
  const { endRows, targets: sampleTargets } = sampleEndRows(
    features,
    targets,
    { fromRow: 0, toRow: 400 },
    {
      windowMinutes,
      strideMinutes: 3,
      maxGapMinutes: 5,
    },
  );

  it('equal a naive element-by-element assembly, shuffled reproducibly, with a short last batch', () => {
    const batchSize = 16;
    const seen: number[] = [];
    const coinCount = 3;
    const channels = features.channels;
    let batchCount = 0;
    for (const batch of batches(features, sampleTargets, endRows, {
      batchSize,
      windowMinutes,
      shuffleSeed: 3,
    })) {
      batchCount++;
      assert.equal(batch.x.length, batch.size * windowMinutes * channels);
      for (let sample = 0; sample < batch.size; sample++) {
        const endRow = batch.endRows[sample]!;
        seen.push(endRow);
        for (let step = 0; step < windowMinutes; step++) {
          for (let channel = 0; channel < channels; channel++) {
            const expected = features.values[(endRow - windowMinutes + 1 + step) * channels + channel];
            assert.equal(batch.x[(sample * windowMinutes + step) * channels + channel], expected);
          }
        }
        for (let coin = 0; coin < coinCount; coin++) {
          assert.equal(batch.y[sample * coinCount + coin], sampleTargets.values[endRow * coinCount + coin]);
          assert.equal(batch.mask[sample * coinCount + coin], sampleTargets.mask[endRow * coinCount + coin]);
        }
      }
    }
    assert.equal(batchCount, Math.ceil(endRows.length / batchSize));
    assert.notDeepEqual(seen, Array.from(endRows), 'shuffled');
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from(endRows),
      'every sample exactly once',
    );
    const again = [
      ...batches(features, sampleTargets, endRows, { batchSize, windowMinutes, shuffleSeed: 3 }),
    ].flatMap((b) => Array.from(b.endRows));
    assert.deepEqual(again, seen, 'the same seed gives the same order');
  });

  it('give the same window as windowAt, the single-sample path of paper trading', () => {
    const [first] = batches(features, sampleTargets, endRows.subarray(5, 6), { batchSize: 4, windowMinutes });
    assert.deepEqual(windowAt(features, endRows[5]!, windowMinutes), first!.x);
    assert.throws(() => windowAt(features, windowMinutes - 2, windowMinutes));
  });

  it('refuse raw features, whose missing entries are NaN', () => {
    const raw = buildFeatures(frame);
    assert.throws(
      () => [...batches(raw, targets, endRows, { batchSize: 4, windowMinutes })],
      FeaturesNotNormalisedError,
    );
  });
});
