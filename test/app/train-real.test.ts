import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPredictor } from '../../src/model/predictor.js';
import { trainModel } from '../../src/app/train.js';
import { ARCHIVE_MONTH_SYMBOLS } from '../support/shared-data.js';
import { realMonthFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';

test('training on the real February 2026 month runs end to end on wasm and reports an honest validation IC', async (t) => {
  const frame = await realMonthFrame(Date.parse('2026-02-01T00:00:00Z'), Date.parse('2026-02-15T00:00:00Z'));
  const config = tinyConfig({
    symbols: ARCHIVE_MONTH_SYMBOLS,
    training: { epochs: 2, sampleStrideMinutes: 3 },
  });
  const { store, cleanup } = await tempStore();
  try {
    const result = await trainModel({ frame, config, store, backend: 'wasm' });
    t.diagnostic(
      `real month, 14 days, tiny model: validation IC ${result.val.ic.toFixed(4)}, rank IC ${result.val.rankIc.toFixed(4)}, ` +
        `hit rate ${result.val.hitRate.toFixed(3)} over ${result.val.perCoin.count[0]} samples per coin, ${result.samplesPerSecond.toFixed(0)} samples/s`,
    );
    assert.equal(result.meta.backend, 'wasm');
    assert.deepEqual(result.meta.symbols, ARCHIVE_MONTH_SYMBOLS);
    assert.ok(result.val.perCoin.count.every((count) => count > 100));
    for (const value of [result.val.loss, result.val.ic, result.val.rankIc, result.val.hitRate])
      assert.ok(Number.isFinite(value));
    // Real 15-minute returns are close to unpredictable: an IC far from 0 on held-out data would mean leakage.
    assert.ok(
      Math.abs(result.val.ic) < 0.2,
      `validation IC ${result.val.ic} is implausibly large for real returns`,
    );
    const reloaded = await loadPredictor(store, 'champion', { expectedSymbols: ARCHIVE_MONTH_SYMBOLS });
    assert.equal(reloaded.id, result.modelId);
    reloaded.dispose();
  } finally {
    await cleanup();
  }
});
