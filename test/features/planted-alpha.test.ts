import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  batches,
  minimumEmbargoMinutes,
  sampleEndRows,
  splitChronologically,
} from '../../src/features/dataset.js';
import { FEATURE_NAMES, buildFeatures } from '../../src/features/features.js';
import { applyStats, fitStats } from '../../src/features/normalise.js';
import { forwardReturns } from '../../src/features/targets.js';
import { alignToGrid } from '../../src/lake/grid.js';
import {
  expectedLeadLagIc,
  generateSyntheticMarket,
  type SyntheticMarketOptions,
} from '../../src/market/synthetic.js';
import { pearson } from '../../src/statistics.js';
import { MINUTE_MS, parseTimeMs } from '../../src/time.js';

describe('the planted lead-lag through the feature pipeline', () => {
  it("reaches the batches: the leader's last-5-minute feature sum predicts laggard targets at the theoretical IC", () => {
    const options: SyntheticMarketOptions = {
      symbols: ['LEADUSDT', 'LAGAUSDT', 'LAGBUSDT'],
      startTimeMs: parseTimeMs('2026-03-01'),
      minutes: 21 * 1440,
      seed: 11,
      plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 5, strength: 0.3 },
      gapRate: 0.002,
    };
    const windowMinutes = 32;
    const horizonMinutes = 15;
    const frame = alignToGrid(
      generateSyntheticMarket(options),
      options.startTimeMs,
      options.startTimeMs + options.minutes * MINUTE_MS,
    );
    const features = buildFeatures(frame);
    const split = splitChronologically(frame.length, {
      validationFraction: 0.3,
      testFraction: 0,
      embargoMinutes: minimumEmbargoMinutes(windowMinutes, horizonMinutes),
    });
    applyStats(features, fitStats(features, split.train));
    const { endRows, targets } = sampleEndRows(
      features,
      forwardReturns(frame, horizonMinutes),
      { fromRow: 0, toRow: frame.length },
      {
        windowMinutes,
        strideMinutes: 1,
        maxGapMinutes: 5,
      },
    );

    const closeFeature = FEATURE_NAMES.indexOf('logCloseToPrevClose');
    const channels = features.channels;
    const predictor: number[] = [];
    const forward: number[][] = [[], []];
    for (const batch of batches(features, targets, endRows, { batchSize: 256, windowMinutes })) {
      for (let sample = 0; sample < batch.size; sample++) {
        const lastRow = (sample + 1) * windowMinutes - 1;
        if (batch.mask[sample * 3 + 1] !== 1 || batch.mask[sample * 3 + 2] !== 1) continue;
        let sum = 0;
        for (let back = 0; back < 5; back++) sum += batch.x[(lastRow - back) * channels + closeFeature]!;
        predictor.push(sum);
        forward[0]!.push(batch.y[sample * 3 + 1]!);
        forward[1]!.push(batch.y[sample * 3 + 2]!);
      }
    }
    assert.ok(predictor.length > 25_000);
    ['LAGAUSDT', 'LAGBUSDT'].forEach((laggard, i) => {
      const measured = pearson(predictor, forward[i]!);
      const expected = expectedLeadLagIc(options, laggard, horizonMinutes);
      assert.ok(
        Math.abs(measured - expected) < 0.05,
        `${laggard}: measured ${measured}, expected ${expected}`,
      );
    });
  });
});
