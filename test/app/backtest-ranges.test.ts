/**
 * A backtest range the model's splits do not fit is diagnosed as what it is: a range after the test
 * split is empty and says so with the split; an in-sample range runs, flagged in-sample, instead of
 * failing deep in the threshold fit.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NoTestPeriodError, runBacktest } from '../../src/app/backtest.js';
import { trainModel } from '../../src/app/train.js';
import { writeKlines } from '../../src/lake/writer.js';
import { generateSyntheticMarket } from '../../src/market/synthetic.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { leadLagOptions, SYNTHETIC_START_MS, tempStore, tinyConfig } from '../support/model-fixtures.js';
import { renderReportHtml } from '../../src/ui/report/html.js';

const MINUTES = 4_000;
const config = tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 4 } });
let store: LocalStore;
let cleanup: () => Promise<void>;
let split: { train: { fromMs: number; toMs: number }; test: { fromMs: number; toMs: number } };

before(async () => {
  ({ store, cleanup } = await tempStore());
  for (const columns of generateSyntheticMarket(leadLagOptions(MINUTES))) await writeKlines(store, columns);
  const trained = await trainModel({
    config,
    store,
    backend: 'wasm',
    fromMs: SYNTHETIC_START_MS,
    toMs: SYNTHETIC_START_MS + MINUTES * MINUTE_MS,
  });
  split = { train: trained.meta.split.train, test: trained.meta.split.test! };
});
after(() => cleanup());

test('a --from after the test split names the range and the split, not "no test split"', async () => {
  const fromMs = split.test.toMs + 60 * MINUTE_MS;
  await assert.rejects(
    runBacktest({
      store,
      model: 'champion',
      config,
      fromMs,
      randomSimulations: 10,
      renderReport: renderReportHtml,
    }),
    (error: unknown) => {
      assert.ok(error instanceof NoTestPeriodError, String(error));
      assert.equal(error.data.reason, 'empty-range');
      assert.equal(error.data.fromMs, fromMs);
      assert.deepEqual(error.data.modelTest, split.test);
      assert.doesNotMatch(error.message, /no test split/);
      return true;
    },
  );
});

test('an in-sample range runs and is flagged in-sample, instead of failing in the threshold fit', async () => {
  const warnings: string[] = [];
  const fromMs = split.train.fromMs + 600 * MINUTE_MS;
  const { summary } = await runBacktest({
    store,
    model: 'champion',
    config,
    fromMs,
    toMs: fromMs + 600 * MINUTE_MS,
    randomSimulations: 10,
    renderReport: renderReportHtml,
    onWarning: (message) => warnings.push(message),
  });
  assert.equal(summary.period.fromMs, fromMs);
  assert.ok(
    warnings.some((message) => /in-sample/.test(message)),
    `warned: ${warnings.join('; ')}`,
  );
});
