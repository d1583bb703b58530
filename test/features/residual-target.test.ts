import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { coinWeights, forwardReturns, modelTargets, residualReturns } from '../../src/features/targets.js';
import { handFrame } from '../support/hand-frame.js';

const T0 = Date.UTC(2026, 1, 2, 9, 0);

// horizon 1: BTC +10%, ETH +2%, SOL −4% over the first minute; SOL is missing at row 2
const frame = handFrame(T0, {
  BTCUSDT: [{ close: 100 }, { close: 110 }, { close: 110 }],
  ETHUSDT: [{ close: 50 }, { close: 51 }, { close: 51 }],
  SOLUSDT: [{ close: 25 }, { close: 24 }, null],
});

test('the residual target is each return minus the weighted average return of the coins present that minute', () => {
  const weights = [3, 1, 1];
  const residual = modelTargets(frame, 1, 'residual', weights);
  // market at row 0: (3·0.10 + 1·0.02 + 1·(−0.04)) / 5 = 0.056
  const expected = [0.1 - 0.056, 0.02 - 0.056, -0.04 - 0.056];
  expected.forEach((value, coin) =>
    assert.ok(Math.abs(residual.values[coin]! - value) < 1e-7, `coin ${coin}`),
  );
  // row 1: SOL has no return (its next candle is missing), so the market is BTC and ETH alone: (3·0 + 1·0)/4 = 0
  assert.equal(residual.mask[1 * 3 + 2], 0);
  assert.ok(Math.abs(residual.values[1 * 3]!) < 1e-9 && Math.abs(residual.values[1 * 3 + 1]!) < 1e-9);
  assert.deepEqual(residual.mask, forwardReturns(frame, 1).mask, 'the mask is the raw one');
  // the weighted residuals sum to zero at every minute: what is left has no market component
  const weightedSum = [0, 1, 2].reduce((sum, coin) => sum + weights[coin]! * residual.values[coin]!, 0);
  assert.ok(Math.abs(weightedSum) < 1e-7);
});

test("raw stays today's target, and the default weights are G-Research's for the coins it listed, 1 for the rest", () => {
  assert.deepEqual(modelTargets(frame, 1, 'raw', [1, 1, 1]).values, forwardReturns(frame, 1).values);
  const config = configSchema.parse({});
  assert.equal(config.target, 'raw');
  assert.deepEqual(
    coinWeights(config.coinWeights, ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']),
    [6.779922, 5.894403, 1],
  );
  assert.ok(Math.abs(Math.exp(6.779922) - 880) < 1e-3, 'each weight is the log of a whole number');
  assert.throws(() => residualReturns(forwardReturns(frame, 1), [1, 1]), /3 weights/);
  assert.throws(() => configSchema.parse({ target: 'excess' }), /target/);
});
