import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type PositionRef } from '../../src/strategy/decision.js';
import { handSetStrategy } from './params-fixture.js';

const T0 = Date.UTC(2026, 1, 3, 10, 0);
const MIN = 60_000;
const strategy = handSetStrategy({
  BTCUSDT: { long: 0.003, short: -0.003 },
  ETHUSDT: { long: 0.004, short: null },
});
const all = ['BTCUSDT', 'ETHUSDT'];

test('a prediction at or above the long threshold opens a long that exits exactly 15 minutes later', () => {
  const { entries } = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: 0.003 },
    strategy,
    openPositions: [],
    tradableSymbols: all,
  });
  assert.deepEqual(entries, [
    {
      symbol: 'BTCUSDT',
      side: 'long',
      prediction: 0.003,
      calibratedPrediction: 0.003,
      threshold: 0.003,
      entryTimeMs: T0,
      exitTimeMs: T0 + 15 * MIN,
    },
  ]);
});

test('a prediction at or below the short threshold opens a short; between the thresholds nothing opens', () => {
  const short = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: -0.01 },
    strategy,
    openPositions: [],
    tradableSymbols: all,
  });
  assert.equal(short.entries[0]?.side, 'short');
  const none = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: 0.0029, ETHUSDT: -0.5 },
    strategy,
    openPositions: [],
    tradableSymbols: all,
  });
  assert.deepEqual(none.entries, [], 'ETHUSDT has no short threshold, so it never shorts');
});

test('a symbol that is not tradable this minute, has no prediction or a NaN one opens nothing', () => {
  const decision = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: 0.5, ETHUSDT: Number.NaN, SOLUSDT: 0.5 },
    strategy,
    openPositions: [],
    tradableSymbols: ['ETHUSDT', 'SOLUSDT'],
  });
  assert.deepEqual(decision.entries, []);
});

test('positions are due at their own exit minute, also when the caller comes late', () => {
  const due: PositionRef = { symbol: 'BTCUSDT', side: 'long', entryTimeMs: T0 - 15 * MIN, exitTimeMs: T0 };
  const overdue: PositionRef = {
    symbol: 'ETHUSDT',
    side: 'long',
    entryTimeMs: T0 - 40 * MIN,
    exitTimeMs: T0 - 25 * MIN,
  };
  const notYet: PositionRef = {
    symbol: 'BTCUSDT',
    side: 'short',
    entryTimeMs: T0 - 5 * MIN,
    exitTimeMs: T0 + 10 * MIN,
  };
  const decision = decide({
    minuteMs: T0,
    predictions: {},
    strategy,
    openPositions: [due, notYet, overdue],
    tradableSymbols: all,
  });
  assert.deepEqual(decision.exits, [due, overdue]);
  assert.deepEqual(decision.holding, [notYet]);
});

test("with overlap 'skip' a pair holding a position opens no second one, but may re-enter at its exit minute", () => {
  const held: PositionRef = {
    symbol: 'BTCUSDT',
    side: 'long',
    entryTimeMs: T0 - 5 * MIN,
    exitTimeMs: T0 + 10 * MIN,
  };
  const blocked = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: 0.01 },
    strategy,
    openPositions: [held],
    tradableSymbols: all,
  });
  assert.deepEqual(blocked.entries, []);
  const atExit = decide({
    minuteMs: T0 + 10 * MIN,
    predictions: { BTCUSDT: 0.01 },
    strategy,
    openPositions: [held],
    tradableSymbols: all,
  });
  assert.equal(atExit.entries.length, 1);
  assert.deepEqual(atExit.exits, [held]);
});

test("with overlap 'stack' every signal opens a position", () => {
  const stacking = handSetStrategy({ BTCUSDT: { long: 0.003 } }, { overlap: 'stack' });
  const held: PositionRef = {
    symbol: 'BTCUSDT',
    side: 'long',
    entryTimeMs: T0 - 5 * MIN,
    exitTimeMs: T0 + 10 * MIN,
  };
  const decision = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: 0.01 },
    strategy: stacking,
    openPositions: [held],
    tradableSymbols: all,
  });
  assert.equal(decision.entries.length, 1);
});

test('a calibrated strategy compares the calibrated prediction with the threshold', () => {
  // realised ≈ 0.0005 − 2·prediction: a model reliably wrong in sign becomes a short signal
  const calibrated = handSetStrategy(
    {
      BTCUSDT: {
        long: 0.004,
        short: -0.004,
        calibration: { intercept: 0.0005, slope: -2, samples: 100, r2: 0.1 },
      },
    },
    { calibrated: true },
  );
  const { entries } = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: 0.003 },
    strategy: calibrated,
    openPositions: [],
    tradableSymbols: all,
  });
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.side, 'short');
  assert.ok(Math.abs(entries[0]!.calibratedPrediction - (0.0005 - 0.006)) < 1e-15);
});

test('a prediction crossing both overlapping thresholds is ambiguous and opens nothing', () => {
  const overlapping = handSetStrategy({ BTCUSDT: { long: 0.001, short: 0.002 } });
  const { entries } = decide({
    minuteMs: T0,
    predictions: { BTCUSDT: 0.0015 },
    strategy: overlapping,
    openPositions: [],
    tradableSymbols: all,
  });
  assert.deepEqual(entries, []);
});
