import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildFeatures, FEATURES_PER_COIN } from '../../src/features/features.js';
import { fitStats } from '../../src/features/normalise.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import { selectBackend } from '../../src/model/backend.js';
import { predictRange, PredictionOutOfFrameError } from '../../src/model/predict-range.js';
import { createPredictor, type Predictor } from '../../src/model/predictor.js';
import { buildResNet1D } from '../../src/model/resnet1d.js';
import { firstInputMinuteMs, firstPredictableRow, inputCandleCount } from '../../src/model/warm-up.js';
import { tickModelOf } from '../../src/paper/champion.js';
import { MINUTE_MS, parseTimeMs } from '../../src/time.js';
import { untrainedMeta } from '../../fixtures/tiny-model.js';
import { ARCHIVE_MONTH_SYMBOLS } from '../support/shared-data.js';
import { realMonthFrame } from '../support/model-fixtures.js';
import { tinyStrategy } from '../../fixtures/tiny-model.js';

const WINDOW = 16;
const DECISION_MS = parseTimeMs('2026-02-10T12:00:00Z');
// a day of real candles before the decision minute: the long-history reference
const DAY_FROM_MS = DECISION_MS - 24 * 60 * MINUTE_MS;

let day: MarketFrame;
let predictor: Predictor;

before(async () => {
  await selectBackend('wasm', { threads: 1 });
  day = await realMonthFrame(DAY_FROM_MS, DECISION_MS + MINUTE_MS);
  const features = buildFeatures(day);
  const stats = fitStats(features, { fromRow: 0, toRow: day.length });
  const channels = ARCHIVE_MONTH_SYMBOLS.length * FEATURES_PER_COIN;
  const architecture = { filters: 8, blocks: 2, kernelSize: 3, seed: 7 };
  const model = buildResNet1D({
    timesteps: WINDOW,
    channels,
    outputs: ARCHIVE_MONTH_SYMBOLS.length,
    ...architecture,
  });
  const meta = {
    ...untrainedMeta({
      id: '20260210T120000Z-abcdef',
      symbols: [...ARCHIVE_MONTH_SYMBOLS],
      windowMinutes: WINDOW,
      horizonMinutes: 15,
      channels,
      targetScale: ARCHIVE_MONTH_SYMBOLS.map(() => 0.001),
      architecture,
      data: { fromMs: DAY_FROM_MS, toMs: DECISION_MS },
      createdAtMs: DECISION_MS,
    }),
    formatVersion: 1 as const,
    weightsByteLength: 0,
  };
  predictor = createPredictor(meta, stats, model);
});
after(() => predictor?.dispose());

test('a prediction reads its window plus one previous close: window + 1 real candles give the long-history prediction', async () => {
  assert.equal(inputCandleCount(WINDOW), WINDOW + 1);
  assert.equal(firstInputMinuteMs(DECISION_MS, WINDOW), DECISION_MS - WINDOW * MINUTE_MS);
  const reference = await predictRange(predictor, day, [DECISION_MS]);
  assert.ok(reference.every(Number.isFinite));

  const shortest = await realMonthFrame(firstInputMinuteMs(DECISION_MS, WINDOW), DECISION_MS + MINUTE_MS);
  assert.equal(shortest.length, inputCandleCount(WINDOW));
  assert.deepEqual(await predictRange(predictor, shortest, [DECISION_MS]), reference);
  // the paper tick asks Binance for exactly that many candles and predicts the same numbers
  const tickModel = tickModelOf(
    predictor,
    tinyStrategy({
      symbols: [...ARCHIVE_MONTH_SYMBOLS],
      windowMinutes: WINDOW,
      thresholdReturn: 0.001,
      feeRatePerSide: 0.001,
    }),
  );
  assert.equal(inputCandleCount(tickModel.windowMinutes), inputCandleCount(WINDOW));
  const byTick = await tickModel.predict(shortest);
  assert.deepEqual(
    ARCHIVE_MONTH_SYMBOLS.map((symbol) => byTick[symbol]),
    [...reference],
  );
});

test('one candle fewer is refused rather than predicted from a window whose first minute has no previous close', async () => {
  const oneShort = await realMonthFrame(
    firstInputMinuteMs(DECISION_MS, WINDOW) + MINUTE_MS,
    DECISION_MS + MINUTE_MS,
  );
  assert.equal(oneShort.length, WINDOW);
  await assert.rejects(() => predictRange(predictor, oneShort, [DECISION_MS]), PredictionOutOfFrameError);
  // the same rule inside a long frame: its first predictable row is the window-th
  const firstMs = day.startTimeMs + firstPredictableRow(WINDOW) * MINUTE_MS;
  assert.equal((await predictRange(predictor, day, [firstMs])).length, ARCHIVE_MONTH_SYMBOLS.length);
  await assert.rejects(() => predictRange(predictor, day, [firstMs - MINUTE_MS]), PredictionOutOfFrameError);
});

test('predictions over many minutes are batched without changing any of them', async () => {
  const timesMs = Array.from({ length: 300 }, (_, at) => DECISION_MS - (299 - at) * MINUTE_MS);
  const batched = await predictRange(predictor, day, timesMs);
  const coins = ARCHIVE_MONTH_SYMBOLS.length;
  for (const at of [0, 255, 256, 299]) {
    const single = await predictRange(predictor, day, [timesMs[at]!]);
    for (let coin = 0; coin < coins; coin++)
      assert.ok(Math.abs(batched[at * coins + coin]! - single[coin]!) < 1e-6, `minute ${at}, coin ${coin}`);
  }
});
