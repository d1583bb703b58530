import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardReturns } from '../../src/features/targets.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import { HAND_FEATURE_NAMES, handCraftedFeatures } from '../../src/strategy/baselines/hand-features.js';
import { randomBaseline } from '../../src/strategy/baselines/random.js';
import { fitRidge, solveLinear } from '../../src/strategy/baselines/ridge.js';
import { handExecution } from './params-fixture.js';
import { plantedFrame } from './planted-signal.js';

const frame = plantedFrame();
const MIN = 60_000;

/** A copy of the frame with every candle after `row` replaced by nonsense. */
function withFutureScrambled(source: MarketFrame, row: number): MarketFrame {
  const columns: MarketFrame['columns'] = {};
  for (const symbol of source.symbols) {
    const original = source.columns[symbol]!;
    const copy = Object.fromEntries(
      Object.entries(original).map(([field, values]) => [field, values.slice()]),
    ) as typeof original;
    for (const field of ['open', 'high', 'low', 'close', 'volume'] as const)
      copy[field].fill(1234.5, row + 1);
    columns[symbol] = copy;
  }
  return { ...source, columns };
}

test('the hand-crafted features of a minute use no candle after it', () => {
  const row = 5000;
  const honest = handCraftedFeatures(frame);
  const scrambled = handCraftedFeatures(withFutureScrambled(frame, row));
  const upTo = (row + 1) * frame.symbols.length * HAND_FEATURE_NAMES.length;
  assert.deepEqual(scrambled.values.subarray(0, upTo), honest.values.subarray(0, upTo));
  assert.notDeepEqual(scrambled.values.subarray(upTo), honest.values.subarray(upTo));
});

test('solveLinear solves a small linear system', () => {
  const x = solveLinear(Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]), Float64Array.from([6, 10, 8]));
  // by hand: 4·1 + 2 = 6, 1 + 6 + 3 = 10, 2 + 6 = 8
  assert.deepEqual(
    Array.from(x, (value) => +value.toFixed(12)),
    [1, 2, 3],
  );
});

test('the ridge finds the planted lead-lag through the market-return features, on the laggards only', () => {
  const targets = forwardReturns(frame, 15);
  const features = handCraftedFeatures(frame);
  const rows = { from: 0, to: frame.length / 2 };
  const leaderFit = fitRidge(features, targets, 0, rows)!;
  const laggardFit = fitRidge(features, targets, 1, rows)!;
  const market15m = HAND_FEATURE_NAMES.indexOf('marketReturn15m');
  assert.ok(laggardFit.coefficients[market15m]! > 5 * Math.abs(leaderFit.coefficients[market15m]!));
});

test('random entries: a strategy better than every run gets the smallest p-value, a typical one about one half', () => {
  const period = { fromMs: frame.startTimeMs, toMs: frame.startTimeMs + 4000 * MIN };
  const trades = Array.from({ length: 40 }, (_, i) => ({
    symbol: 'LAGAUSDT',
    side: i % 2 === 0 ? ('long' as const) : ('short' as const),
  }));
  const common = {
    frame,
    period,
    trades,
    horizonMinutes: 15,
    execution: handExecution('close'),
    simulations: 400,
  };
  const best = randomBaseline({ ...common, strategyAvgNetReturn: 1 });
  assert.equal(best.pValue, 1 / 401);
  assert.equal(best.metrics.trades, 40);
  const sorted = [...best.avgNetReturns].sort((a, b) => a - b);
  const typical = randomBaseline({ ...common, strategyAvgNetReturn: sorted[200]! });
  assert.ok(Math.abs(typical.pValue - 0.5) < 0.01, `p ${typical.pValue}`);
  assert.ok(best.metrics.avgNetReturn! < 0, 'random entries lose about two fees per trade');
});
