import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { paperTickDeps } from '../../src/app/paper-tick.js';
import { runBacktest } from '../../src/app/backtest.js';
import { configSchema } from '../../src/config/schema.js';
import { assertStrategyFitsModel, ModelStrategyMismatchError } from '../../src/contracts/run-invariants.js';
import { cachedModelLoader } from '../../src/paper/champion.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { saveTinyChampion, tinyStrategy, type TinyModelOptions } from '../../fixtures/tiny-model.js';
import { tempStore } from '../support/model-fixtures.js';
import { renderReportHtml } from '../../src/ui/report/html.js';

const TINY: TinyModelOptions = {
  symbols: ['BTCUSDT', 'ETHUSDT'],
  windowMinutes: 16,
  thresholdReturn: 0.001,
  feeRatePerSide: 0.001,
};

let store: LocalStore;
let cleanup: () => Promise<void>;
let modelId: string;

before(async () => {
  ({ store, cleanup } = await tempStore());
});
after(() => cleanup());

/** Model directories are write-once, so each case saves its own champion with the thresholds it needs. */
const storeThresholds = async (overrides: Partial<TinyModelOptions>) => {
  modelId = await saveTinyChampion(store, TINY, tinyStrategy({ ...TINY, ...overrides }));
};

test('the paper tick loads a model whose thresholds were chosen for it', async () => {
  await storeThresholds({});
  const config = configSchema.parse({ symbols: TINY.symbols, strategy: { feeRatePerSide: 0.001 } });
  const model = await paperTickDeps({ store, config, binance: {} as never }).loadModel();
  assert.equal(model.id, modelId);
  assert.equal(model.windowMinutes, TINY.windowMinutes);
});

test('thresholds chosen for another horizon are refused when the tick loads them', async () => {
  await storeThresholds({ horizonMinutes: 30 });
  await assert.rejects(cachedModelLoader(store)(), (error: unknown) => {
    assert.ok(error instanceof ModelStrategyMismatchError);
    assert.match(error.message, /horizon 30 minutes vs the model's 15/);
    return true;
  });
});

test('thresholds chosen net of another fee than the ledger charges are refused', async () => {
  await storeThresholds({});
  const config = configSchema.parse({ symbols: TINY.symbols, strategy: { feeRatePerSide: 0.0004 } });
  await assert.rejects(paperTickDeps({ store, config, binance: {} as never }).loadModel(), /fee per side/);
});

test('thresholds for other coins are refused, by the tick and by the backtest', async () => {
  await storeThresholds({ symbols: ['BTCUSDT', 'SOLUSDT'] });
  await assert.rejects(cachedModelLoader(store)(), /thresholds for \[BTCUSDT,SOLUSDT\]/);
  const config = configSchema.parse({ symbols: TINY.symbols });
  await assert.rejects(
    runBacktest({
      store,
      model: modelId,
      config,
      fromMs: Date.UTC(2026, 1, 2),
      toMs: Date.UTC(2026, 1, 3),
      renderReport: renderReportHtml,
    }),
    ModelStrategyMismatchError,
  );
});

test('thresholds chosen outside the model validation window are refused', () => {
  const model = {
    id: 'm',
    symbols: ['BTCUSDT'],
    horizonMinutes: 15,
    split: { validation: { fromMs: 1_000, toMs: 2_000 } },
  };
  const strategy = { horizonMinutes: 15, feeRatePerSide: 0.001, pairs: { BTCUSDT: {} } };
  assertStrategyFitsModel(model, { ...strategy, validation: { fromMs: 1_000, toMs: 1_999 } });
  assert.throws(
    () => assertStrategyFitsModel(model, { ...strategy, validation: { fromMs: 500, toMs: 1_999 } }),
    /outside the model's validation window/,
  );
});
