/**
 * The whole research loop on the synthetic market: candles into a lake → a tiny ResNet1D trained on it
 * (thresholds fitted on its validation predictions and stored with it) → `runBacktest` from the store.
 * With the planted lead-lag the strategy must beat every baseline after fees; on the same market with
 * its minutes shuffled in time (labels and features shuffled together) it must not.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { writeKlines } from '../../src/lake/writer.js';
import type { KlineColumns } from '../../src/market/kline.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { trainModel } from '../../src/app/train.js';
import { listRuns } from '../../src/runs/runs-index.js';
import { runBacktest } from '../../src/app/backtest.js';
import { MINUTE_MS } from '../../src/time.js';
import { tempStore, tinyConfig } from '../support/model-fixtures.js';
import { shuffledMarket } from '../strategy/planted-signal.js';
import { renderReportHtml } from '../../src/ui/report/html.js';

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
const config = tinyConfig({
  symbols: SYMBOLS,
  windowMinutes: 16,
  training: { epochs: 4, sampleStrideMinutes: 2, validationFraction: 0.25, testFraction: 0.2 },
});

const cleanups: Array<() => Promise<void>> = [];
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function trainAndBacktest(market: KlineColumns[]) {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  for (const columns of market) await writeKlines(store, columns);
  const trained = await trainModel({
    config,
    store,
    backend: 'wasm',
    fromMs: MARKET.startTimeMs,
    toMs: MARKET.startTimeMs + MARKET.minutes * MINUTE_MS,
  });
  const backtest = await runBacktest({
    store,
    model: 'champion',
    config,
    randomSimulations: 300,
    renderReport: renderReportHtml,
  });
  return { store, trained, ...backtest };
}

test('trained on the planted lead-lag, the strategy beats no-trade, ridge and random entries after fees on the test period', async (t) => {
  const { store, trained, summary, result } = await trainAndBacktest(generateSyntheticMarket(MARKET));
  t.diagnostic(
    `planted: ${summary.verdict} Ridge total ${summary.baselines.ridge.totalNetReturn.toFixed(4)}.`,
  );
  assert.ok(trained.thresholds !== null, 'training stored thresholds.json');
  assert.equal(summary.thresholdsSource, 'stored');
  assert.ok(existsSync(summary.report), 'the report was written locally');
  assert.ok((await store.get(summary.reportKey)) !== undefined, 'and to the store');
  const stored = await store.get(summary.reportKey.replace(/\.html$/, '.json'));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stored)), summary, 'with its summary beside it');
  assert.ok(summary.strategy.trades >= 20, `${summary.strategy.trades} trades`);
  assert.ok(summary.strategy.avgNetReturn! > 0);
  assert.deepEqual(result.verdict.beats, { noTrade: true, ridge: true, random: true });
  assert.ok(
    summary.pairsClearingFees.every((symbol) => symbol.startsWith('LAG')),
    'only laggards can clear fees',
  );
  const [trainRun, backtestRun] = await listRuns(store);
  assert.equal(trainRun?.kind, 'train');
  assert.equal(trainRun.modelId, trained.modelId);
  assert.equal(trainRun.final.valIc, trained.val.ic);
  assert.deepEqual(
    trainRun.epochs.map((epoch) => epoch.ic),
    trained.epochs.map((epoch) => epoch.meanIc),
    'the run carries the learning curve',
  );
  assert.equal(backtestRun?.kind, 'backtest');
  assert.equal(backtestRun.id, summary.runId);
  assert.deepEqual(backtestRun.data, summary.period);
  assert.equal(backtestRun.final.trades, summary.strategy.trades);
});

test('on the same market shuffled in time (labels with it) the strategy beats no baseline: no edge from leakage', async (t) => {
  const { summary, result } = await trainAndBacktest(
    shuffledMarket(generateSyntheticMarket({ ...MARKET, gapRate: 0 }), 99),
  );
  t.diagnostic(`shuffled: ${summary.verdict} Test IC ${JSON.stringify(result.strategy.ic)}`);
  assert.equal(result.verdict.beatsAllBaselines, false);
  assert.equal(result.verdict.beats.random, false);
  assert.equal(result.verdict.beats.noTrade, false);
});
