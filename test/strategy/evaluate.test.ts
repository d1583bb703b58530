import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { evaluateBacktest } from '../../src/strategy/evaluate.js';
import { fitStrategyOnFrame } from '../../src/strategy/fit.js';
import {
  backtestPredictions,
  knownSignal,
  plantedFrame,
  plantedSplits,
  shuffledInTime,
} from './planted-signal.js';

const config = configSchema.parse({ symbols: ['LEADUSDT', 'LAGAUSDT', 'LAGBUSDT', 'LAGCUSDT'] });
const frame = plantedFrame();
const splits = plantedSplits(frame);

const backtestWith = (predictions: Float64Array) =>
  backtestPredictions(frame, predictions, { randomSimulations: 300 });

test('with the planted signal the strategy clears fees and beats no-trade, ridge and random entries on the test period', () => {
  const result = backtestWith(knownSignal(frame));
  const { overall } = result.strategy;
  assert.ok(overall.trades >= 50, `trades ${overall.trades}`);
  assert.ok(overall.avgNetReturn! > 0, `avg net ${overall.avgNetReturn}`);
  assert.ok(result.baselines.random.pValue < 0.01, `p ${result.baselines.random.pValue}`);
  assert.ok(overall.totalNetReturn > result.baselines.ridge.overall.totalNetReturn, 'beats ridge');
  assert.deepEqual(result.verdict.beats, { noTrade: true, ridge: true, random: true });
  assert.equal(result.strategy.perPair.LEADUSDT!.trades, 0, 'the leader has no signal and never trades');
  assert.ok(result.verdict.pairsClearingFees.length >= 2);
  for (const symbol of ['LAGAUSDT', 'LAGBUSDT', 'LAGCUSDT'])
    assert.ok(result.strategy.ic[symbol]! > 0.2, `${symbol} IC`);
});

test('with the same predictions shuffled in time the strategy finds no edge and beats nothing', () => {
  const predictions = shuffledInTime(knownSignal(frame), frame.symbols.length, 99);
  const result = backtestWith(predictions);
  assert.equal(result.verdict.beatsAllBaselines, false);
  assert.equal(result.verdict.beats.random, false, `p ${result.baselines.random.pValue}`);
  for (const symbol of ['LAGAUSDT', 'LAGBUSDT', 'LAGCUSDT'])
    assert.ok(Math.abs(result.strategy.ic[symbol] ?? 0) < 0.05, `${symbol} IC`);
});

test('calibration turns a model reliably wrong in sign into a profitable one; its raw predictions find nothing to trade', () => {
  const wrongWay = knownSignal(frame).map((value) => -0.3 * value);
  const calibrated = fitStrategyOnFrame({
    frame,
    predictions: wrongWay,
    period: splits.validation,
    config,
  });
  assert.ok(calibrated.pairs.LAGAUSDT!.calibration!.slope < 0);
  const result = evaluateBacktest({
    frame,
    modelPredictions: wrongWay,
    modelStrategy: calibrated,
    splits,
    config,
    randomSimulations: 100,
    compareCalibration: true,
  });
  assert.ok(result.strategy.overall.avgNetReturn! > 0, 'calibrated: profitable');
  assert.equal(result.calibrationAlternative?.calibrated, false);
  assert.equal(result.calibrationAlternative?.overall.trades, 0, 'raw: no threshold survives validation');
});
