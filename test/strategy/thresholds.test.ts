import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { mulberry32, normalSource } from '../../src/random.js';
import { fitCalibration } from '../../src/strategy/calibration.js';
import { fitStrategy } from '../../src/strategy/fit.js';
import { netReturnFromMove } from '../../src/strategy/pnl.js';
import type { Side } from '../../src/strategy/side.js';
import {
  chooseSideThreshold,
  evaluateThreshold,
  type PairSamples,
  type SweepOptions,
} from '../../src/strategy/thresholds.js';
import { parseStrategyParams } from '../../src/strategy/params.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 1, 10);

/** One sample every 5 minutes; realised = signal + noise, the value seen by the strategy is the signal. */
function samplesWithEdge(count: number, edge: (i: number) => number, seed = 7): PairSamples {
  const normal = normalSource(mulberry32(seed));
  const timesMs: number[] = [];
  const values: number[] = [];
  const realised: number[] = [];
  for (let i = 0; i < count; i++) {
    const signal = 0.004 * normal();
    timesMs.push(T0 + i * 5 * MIN);
    values.push(signal);
    realised.push(edge(i) * signal + 0.002 * normal());
  }
  return { timesMs, values, realised };
}

/** Prices a candidate as a trade paying `fee` per side and nothing else. */
const atFee = (fee: number) => (side: Side, move: number) => netReturnFromMove(side, move, fee);

function options(samples: PairSamples, overrides: Partial<SweepOptions> = {}): SweepOptions {
  const last = samples.timesMs[samples.timesMs.length - 1]!;
  return {
    price: atFee(0.001),
    minTrades: 20,
    candidates: 50,
    horizonMinutes: 15,
    overlap: 'skip',
    splitMs: (T0 + last) / 2,
    ...overrides,
  };
}

test('a threshold is priced by the average net return after fees of the trades it makes', () => {
  const samples: PairSamples = {
    timesMs: [0, MIN * 20, MIN * 40],
    values: [0.01, 0.002, 0.02],
    realised: [0.01, -0.01, 0.004],
  };
  const point = evaluateThreshold(samples, 'long', 0.005, {
    ...options(samples),
    minTrades: 1,
    splitMs: MIN * 30,
  });
  const expected = [netReturnFromMove('long', 0.01, 0.001), netReturnFromMove('long', 0.004, 0.001)];
  assert.equal(point.trades, 2);
  assert.ok(Math.abs(point.avgNetReturn! - (expected[0]! + expected[1]!) / 2) < 1e-15);
  assert.ok(Math.abs(point.firstHalfAvgNetReturn! - expected[0]!) < 1e-15);
  assert.ok(Math.abs(point.secondHalfAvgNetReturn! - expected[1]!) < 1e-15);
});

test("with overlap 'skip' a signal within the horizon of the previous trade is not a trade", () => {
  const samples: PairSamples = {
    timesMs: [0, 5 * MIN, 15 * MIN],
    values: [1, 1, 1],
    realised: [0.01, 0.01, 0.01],
  };
  assert.equal(evaluateThreshold(samples, 'long', 0.5, { ...options(samples), overlap: 'skip' }).trades, 2);
  assert.equal(evaluateThreshold(samples, 'long', 0.5, { ...options(samples), overlap: 'stack' }).trades, 3);
});

test('with a real edge the chosen long and short thresholds are profitable after fees in both halves', () => {
  const samples = samplesWithEdge(4000, () => 1);
  for (const side of ['long', 'short'] as const) {
    const result = chooseSideThreshold(samples, side, options(samples));
    assert.ok(result.threshold !== null, side);
    assert.ok(result.chosen!.avgNetReturn! > 0 && result.chosen!.trades >= 20, side);
    const best = Math.max(...result.curve.filter((p) => p.eligible).map((p) => p.avgNetReturn!));
    assert.equal(
      result.chosen!.avgNetReturn,
      best,
      'the eligible threshold with the highest average is chosen',
    );
    assert.ok(side === 'long' ? result.threshold! > 0 : result.threshold! < 0, side);
  }
});

test('an edge that only exists in the first half of validation is not traded', () => {
  const samples = samplesWithEdge(4000, (i) => (i < 2000 ? 1 : -1));
  const result = chooseSideThreshold(samples, 'long', options(samples));
  assert.ok(
    result.curve.some((p) => p.firstHalfAvgNetReturn! > 0 && p.trades >= 20),
    'the first half alone looks profitable',
  );
  assert.equal(result.threshold, null);
});

test('no edge, or fees larger than the edge, leaves the pair without a threshold', () => {
  const noEdge = samplesWithEdge(4000, () => 0);
  assert.equal(chooseSideThreshold(noEdge, 'long', options(noEdge)).threshold, null);
  const edge = samplesWithEdge(4000, () => 1);
  assert.equal(chooseSideThreshold(edge, 'long', options(edge, { price: atFee(0.02) })).threshold, null);
});

test('a threshold needs at least minTrades trades', () => {
  const samples = samplesWithEdge(4000, () => 1);
  const result = chooseSideThreshold(samples, 'long', options(samples, { minTrades: 100_000 }));
  assert.equal(result.threshold, null);
  assert.ok(result.curve.every((p) => !p.eligible));
});

test('calibration recovers intercept and slope of a linear relation', () => {
  const normal = normalSource(mulberry32(3));
  const predictions = Array.from({ length: 5000 }, () => normal());
  const realised = predictions.map((p) => 0.001 - 0.5 * p + 0.01 * normal());
  const fit = fitCalibration(predictions, realised)!;
  assert.ok(Math.abs(fit.slope + 0.5) < 0.01 && Math.abs(fit.intercept - 0.001) < 0.001);
  assert.equal(fitCalibration(predictions.slice(0, 5), realised.slice(0, 5)), null, 'too few samples');
});

test('fitStrategy fits each pair from [sample][coin] arrays and its output round-trips through thresholds.json', () => {
  const edge = samplesWithEdge(3000, () => 1, 11);
  const noise = samplesWithEdge(3000, () => 0, 12);
  const sampleCount = 3000;
  const predictions = new Float32Array(sampleCount * 2);
  const realised = new Float32Array(sampleCount * 2);
  const mask = new Uint8Array(sampleCount * 2).fill(1);
  for (let i = 0; i < sampleCount; i++) {
    // the model's raw output is a shrunk, shifted version of the signal: calibration must undo it
    predictions[i * 2] = 0.2 * (edge.values[i] as number) + 0.0001;
    realised[i * 2] = edge.realised[i] as number;
    predictions[i * 2 + 1] = noise.values[i] as number;
    realised[i * 2 + 1] = noise.realised[i] as number;
  }
  mask[5] = 0;
  realised[5] = Number.NaN;
  const params = fitStrategy({
    symbols: ['AAAUSDT', 'BBBUSDT'],
    predictions,
    realised,
    mask,
    timesMs: edge.timesMs,
    config: {
      horizonMinutes: 15,
      strategy: {
        feeRatePerSide: 0.001,
        minTrades: 20,
        thresholdCandidates: 40,
        overlap: 'skip',
        calibration: true,
      },
      execution: configSchema.parse({ execution: { slippageBpsPerSide: { major: 0, other: 0 } } }).execution,
    },
  });
  const edgePair = params.pairs.AAAUSDT!;
  assert.ok(Math.abs(edgePair.calibration!.slope - 5) < 0.5, `slope ${edgePair.calibration!.slope}`);
  assert.ok(edgePair.long.threshold !== null && edgePair.short.threshold !== null);
  assert.ok(
    edgePair.long.threshold! > 0.002,
    'a calibrated long threshold is an expected return above two fees',
  );
  assert.equal(params.pairs.BBBUSDT!.long.threshold, null);
  assert.equal(params.pairs.BBBUSDT!.short.threshold, null);
  assert.equal(params.pairs.BBBUSDT!.validationSamples, 2999, 'the masked sample is left out');
  assert.deepEqual(parseStrategyParams(JSON.stringify(params)), params);
  assert.throws(() => parseStrategyParams('{"version":2}'), /thresholds.json is invalid/);
});
