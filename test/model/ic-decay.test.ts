import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardReturns } from '../../src/features/targets.js';
import { icDecay, IC_DECAY_HORIZONS_MINUTES } from '../../src/model/ic-decay.js';
import { leadLagOptions, syntheticFrame } from '../support/model-fixtures.js';

test('IC decay peaks at the horizon the predictions know and falls away on both sides', () => {
  const frame = syntheticFrame(leadLagOptions(4_000, 5));
  const coinCount = frame.symbols.length;
  // a "model" that knows every coin's next 5 minutes exactly
  const known = forwardReturns(frame, 5);
  const rows = Int32Array.from({ length: 3_000 }, (_, i) => 500 + i);
  const predictions = new Float32Array(rows.length * coinCount).fill(Number.NaN);
  rows.forEach((row, sample) => {
    for (let coin = 0; coin < coinCount; coin++)
      if (known.mask[row * coinCount + coin] === 1)
        predictions[sample * coinCount + coin] = known.values[row * coinCount + coin]!;
  });
  const decay = icDecay({ frame, rows, predictions, target: 'raw', coinWeights: frame.symbols.map(() => 1) });
  assert.deepEqual(
    decay.map((point) => point.horizonMinutes),
    [...IC_DECAY_HORIZONS_MINUTES],
  );
  const ic = Object.fromEntries(decay.map((point) => [point.horizonMinutes, point.ic]));
  assert.ok(Math.abs(ic[5]! - 1) < 1e-6, `IC at 5 minutes ${ic[5]}`);
  assert.ok(ic[1]! < ic[5]! && ic[15]! < ic[5]!, 'lower either side of the horizon it knows');
  assert.ok(ic[15]! > ic[30]! && ic[30]! > ic[60]!, 'and falling with distance');
  assert.ok(ic[60]! > 0, 'a 5-minute move is part of every longer one');
  for (const point of decay) {
    assert.ok(point.samples > 2_000 * coinCount, `${point.horizonMinutes}: samples`);
    assert.ok(Math.abs(point.weightedCorrelation - point.ic) < 0.2, 'the pooled correlation agrees roughly');
  }
});

test('IC decay of residual predictions is scored against residual targets at each horizon', () => {
  const frame = syntheticFrame(leadLagOptions(2_000, 5));
  const coinCount = frame.symbols.length;
  const rows = Int32Array.from({ length: 1_000 }, (_, i) => 200 + i);
  const predictions = new Float32Array(rows.length * coinCount).fill(0.001);
  // constant predictions have no correlation with anything: every IC is undefined
  const decay = icDecay({
    frame,
    rows,
    predictions,
    target: 'residual',
    coinWeights: frame.symbols.map(() => 1),
  });
  for (const point of decay) assert.ok(Number.isNaN(point.ic) && Number.isNaN(point.weightedCorrelation));
  assert.throws(
    () => icDecay({ frame, rows, predictions: predictions.subarray(1), target: 'raw', coinWeights: [1] }),
    /predictions/,
  );
});
