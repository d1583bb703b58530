/**
 * A model trained on the residual target records it, reports the weighted correlation and IC decay from
 * training, and the backtest scores it against residual returns even when run with a config that says
 * 'raw': the artifact, not the caller's config, says what the model means.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { coinWeights, modelTargets } from '../../src/features/targets.js';
import { readFrame } from '../../src/lake/reader.js';
import { writeKlines } from '../../src/lake/writer.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { trainModel } from '../../src/app/train.js';
import { runBacktest } from '../../src/app/backtest.js';
import { MINUTE_MS } from '../../src/time.js';
import { tempStore, tinyConfig } from '../support/model-fixtures.js';
import { renderReportHtml } from '../../src/ui/report/html.js';

const SYMBOLS = ['BTCUSDT', 'LAGAUSDT', 'NOISEUSDT'];
const MARKET: SyntheticMarketOptions = {
  symbols: SYMBOLS,
  startTimeMs: Date.UTC(2026, 0, 5),
  minutes: 5_000,
  seed: 8,
  plantedAlpha: { leader: 'BTCUSDT', lagMinutes: 15, strength: 0.9, laggards: ['LAGAUSDT'] },
};

const cleanups: Array<() => Promise<void>> = [];
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

test('a residual-target model records its target and weights, and the backtest scores it against residuals', async () => {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  for (const columns of generateSyntheticMarket(MARKET)) await writeKlines(store, columns);
  const config = tinyConfig({
    symbols: SYMBOLS,
    windowMinutes: 16,
    target: 'residual',
    training: { epochs: 1, sampleStrideMinutes: 4, validationFraction: 0.25, testFraction: 0.2 },
  });
  const trained = await trainModel({
    config,
    store,
    backend: 'wasm',
    fromMs: MARKET.startTimeMs,
    toMs: MARKET.startTimeMs + MARKET.minutes * MINUTE_MS,
  });
  assert.equal(trained.meta.target, 'residual');
  assert.deepEqual(
    trained.meta.coinWeights,
    [6.779922, 1, 1],
    "G-Research's weight for BTC, 1 for the others",
  );
  assert.deepEqual(
    trained.icDecay.map((point) => point.horizonMinutes),
    [1, 5, 15, 30, 60],
  );
  assert.deepEqual(trained.meta.icDecay, trained.icDecay);
  assert.equal(typeof trained.val.weightedCorrelation, 'number');

  const { summary, result } = await runBacktest({
    store,
    model: 'champion',
    renderReport: renderReportHtml,
    config: { ...config, target: 'raw' },
    randomSimulations: 19,
  });
  assert.equal(summary.target, 'residual');
  assert.equal(summary.icDecay.length, 5);
  const frame = await readFrame(
    store,
    SYMBOLS,
    MARKET.startTimeMs,
    MARKET.startTimeMs + MARKET.minutes * MINUTE_MS,
  );
  // evaluateBacktest's per-pair IC and weighted correlation were computed from the model's targets, the IC
  // decay independently from the meta's target: they agree at 15 minutes only if both used residuals
  const fifteen = summary.icDecay.find((point) => point.horizonMinutes === 15)!;
  const perPair = Object.values(result.strategy.ic).filter((value): value is number => value !== null);
  const meanIc = perPair.reduce((sum, value) => sum + value, 0) / perPair.length;
  assert.ok(Math.abs(fifteen.ic - meanIc) < 1e-9, `${fifteen.ic} vs ${meanIc}`);
  assert.ok(Math.abs(fifteen.weightedCorrelation - summary.weightedCorrelation!) < 1e-9);
  const raw = modelTargets(frame, 15, 'raw', [1, 1, 1]);
  const residual = modelTargets(frame, 15, 'residual', coinWeights(config.coinWeights, SYMBOLS));
  assert.notDeepEqual(raw.values, residual.values, 'and the two targets do differ on this market');
});
