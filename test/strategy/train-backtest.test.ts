/**
 * The whole research loop on the synthetic market: ingest → train a tiny ResNet1D (thresholds fitted on
 * its validation predictions and stored with it) → `runBacktest` from the store. With the planted
 * lead-lag the strategy must beat every baseline after fees; a model trained on labels shuffled in time
 * must not.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { forwardReturns, type TargetMatrix } from '../../src/features/targets.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import { writeKlines } from '../../src/lake/writer.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { createPredictor } from '../../src/model/predictor.js';
import { buildResNet1D } from '../../src/model/resnet1d.js';
import { scaleTargets } from '../../src/model/target-scale.js';
import { trainModel, type TrainResult } from '../../src/model/train.js';
import { prepareFold } from '../../src/model/training-data.js';
import { fitFold } from '../../src/model/training-loop.js';
import { planFolds } from '../../src/model/walk-forward.js';
import { mulberry32, shuffleInPlace } from '../../src/random.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { evaluateBacktest } from '../../src/strategy/evaluate.js';
import { fitStrategyOnFrame } from '../../src/strategy/fit.js';
import { predictRows, runBacktest, type BacktestSummary } from '../../src/strategy/run-backtest.js';
import { MINUTE_MS } from '../../src/time.js';
import { syntheticFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';

const SYMBOLS = ['LEADUSDT', 'LAGAUSDT', 'LAGBUSDT', 'NOISEUSDT'];
const MARKET: SyntheticMarketOptions = {
  symbols: SYMBOLS,
  startTimeMs: Date.UTC(2026, 0, 5),
  minutes: 14_000,
  seed: 5,
  plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 15, strength: 0.9, laggards: ['LAGAUSDT', 'LAGBUSDT'] },
  gapRate: 0.001,
};
// A 16-minute window: the tiny network's global average pooling then spans about the 15-minute lag it must sum.
const config = tinyConfig({ symbols: SYMBOLS, windowMinutes: 16, training: { epochs: 4, sampleStrideMinutes: 2, validationFraction: 0.25, testFraction: 0.2 } });

let store: LocalStore;
let cleanup: () => Promise<void>;
let trained: TrainResult;
let frame: MarketFrame;

before(async () => {
  ({ store, cleanup } = await tempStore());
  for (const columns of generateSyntheticMarket(MARKET)) await writeKlines(store, columns);
  trained = await trainModel({ config, store, backend: 'wasm', fromMs: MARKET.startTimeMs, toMs: MARKET.startTimeMs + MARKET.minutes * MINUTE_MS });
  frame = syntheticFrame(MARKET);
});

after(async () => {
  trained?.predictor.dispose();
  await cleanup?.();
});

test('trained on the planted lead-lag, the strategy beats no-trade, ridge and random entries after fees on the test period', async (t) => {
  assert.ok(trained.thresholds !== null, 'training stored thresholds.json');
  const { summary, result } = await runBacktest({ store, model: 'champion', config, randomSimulations: 300 });
  t.diagnostic(describe(summary));
  assert.equal(summary.thresholdsSource, 'stored');
  assert.ok(existsSync(summary.report), 'the report was written locally');
  assert.ok((await store.get(summary.reportKey)) !== undefined, 'and to the store');
  assert.ok(summary.strategy.trades >= 20, `${summary.strategy.trades} trades`);
  assert.ok(summary.strategy.avgNetReturn! > 0);
  assert.deepEqual(result.verdict.beats, { noTrade: true, ridge: true, random: true });
  assert.ok(summary.pairsClearingFees.every((symbol) => symbol.startsWith('LAG')), 'only laggards can clear fees');
});

test('a model trained on labels shuffled in time does not beat the baselines (no edge from leakage)', async (t) => {
  // Everything that learns from labels sees them shuffled in time: the network and the strategy fit
  // (calibration and thresholds). Only the evaluation uses the real prices.
  const shuffled = shuffleRows(forwardReturns(frame, config.horizonMinutes), 99);
  const [fold] = planFolds(frame.length, config).folds;
  const prepared = prepareFold(frame, shuffled, fold!, config);
  const model = buildResNet1D({ timesteps: config.windowMinutes, channels: prepared.features.channels, outputs: SYMBOLS.length, ...config.model });
  await fitFold({
    model,
    features: prepared.features,
    targets: scaleTargets(prepared.targets, prepared.targetScale),
    trainEndRows: prepared.trainEndRows,
    validationEndRows: prepared.validationEndRows,
    windowMinutes: config.windowMinutes,
    training: config.training,
    seed: config.model.seed,
    fold: 0,
  });
  const predictor = createPredictor({ ...trained.meta, targetScale: prepared.targetScale }, prepared.stats, model);
  try {
    const { split } = trained.meta;
    const splits = { train: split.train, validation: split.validation, test: split.test! };
    const predictions = predictRows(predictor, frame, [splits.validation, splits.test]);
    const modelStrategy = fitStrategyOnFrame({ symbols: SYMBOLS, frameStartTimeMs: frame.startTimeMs, predictions, targets: shuffled, period: splits.validation, config });
    const result = evaluateBacktest({ frame, modelPredictions: predictions, modelStrategy, splits, config, randomSimulations: 300 });
    t.diagnostic(`shuffled-label control: ${result.verdict.summary} Test IC ${JSON.stringify(result.strategy.ic)}`);
    assert.equal(result.verdict.beatsAllBaselines, false);
    assert.equal(result.verdict.beats.random, false);
  } finally {
    predictor.dispose();
  }
});

function describe(summary: BacktestSummary): string {
  const { strategy, baselines } = summary;
  return `strategy ${strategy.trades} trades avg ${strategy.avgNetReturn} total ${strategy.totalNetReturn}; ridge total ${baselines.ridge.totalNetReturn}; random p ${baselines.random.pValue}; ${summary.verdict}`;
}

/** The same targets with whole minutes permuted: each label keeps its coins but lands at a random time. */
function shuffleRows(targets: TargetMatrix, seed: number): TargetMatrix {
  const coinCount = targets.symbols.length;
  const order = Int32Array.from({ length: targets.length }, (_, row) => row);
  shuffleInPlace(order, mulberry32(seed));
  const values = new Float32Array(targets.values.length);
  const mask = new Uint8Array(targets.mask.length);
  order.forEach((from, to) => {
    values.set(targets.values.subarray(from * coinCount, (from + 1) * coinCount), to * coinCount);
    mask.set(targets.mask.subarray(from * coinCount, (from + 1) * coinCount), to * coinCount);
  });
  return { ...targets, values, mask };
}
