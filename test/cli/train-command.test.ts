import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runTrainCommand } from '../../src/cli/commands/train.js';
import { writeKlines } from '../../src/lake/writer.js';
import { generateSyntheticMarket } from '../../src/market/synthetic.js';
import { getChampion, readModelMeta } from '../../src/model/registry.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { LEAD_LAG_SYMBOLS, leadLagOptions, tempStore } from '../support/model-fixtures.js';

let store: LocalStore;
let cleanup: () => Promise<void>;
const tiny = {
  symbols: LEAD_LAG_SYMBOLS.join(','),
  window: 16,
  filters: 8,
  blocks: 2,
  epochs: 1,
  sampleStride: 4,
  backend: 'wasm' as const,
  json: true,
};

before(async () => {
  ({ store, cleanup } = await tempStore());
  for (const columns of generateSyntheticMarket(leadLagOptions(8_000, 21))) await writeKlines(store, columns);
});
after(() => cleanup());

test('train reads the whole lake by default, reports the documented JSON and makes the first model champion', async () => {
  const report = await runTrainCommand({ ...tiny, store: store.url });
  assert.match(report.modelId, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  assert.equal(report.backend, 'wasm');
  for (const key of ['loss', 'ic', 'rankIc', 'hitRate'] as const)
    assert.equal(typeof report.val[key], 'number');
  assert.ok(report.samplesPerSecond > 0);
  assert.deepEqual(Object.keys(report.valPerCoin), LEAD_LAG_SYMBOLS);
  assert.equal(report.data.from, new Date(leadLagOptions(8_000).startTimeMs).toISOString());
  assert.equal(report.champion, true);
  assert.equal((await getChampion(store))?.modelId, report.modelId);
  assert.ok(report.split.test !== null && report.split.validation.to <= report.split.test.from);
});

test('train --init fine-tunes from the named model on data after it, and --promote moves the champion', async () => {
  const first = await runTrainCommand({ ...tiny, store: store.url, to: '2026-01-08T00:00' });
  const child = await runTrainCommand({ ...tiny, store: store.url, init: first.modelId, promote: true });
  assert.equal(child.parentModelId, first.modelId);
  const parentMeta = await readModelMeta(store, first.modelId);
  assert.ok(
    Date.parse(child.data.from) >= parentMeta.data.toMs - 16 * 60_000,
    'the child starts where the parent ended (one window of context)',
  );
  assert.equal(child.champion, true);
  assert.equal((await getChampion(store))?.modelId, child.modelId);
});

test('train --checkpoint-dir checkpoints each epoch, and the same flags again resume from it instead of retraining', async () => {
  const checkpointDir = await mkdtemp(path.join(tmpdir(), 'alpha15-train-checkpoint-'));
  try {
    const first = await runTrainCommand({ ...tiny, store: store.url, checkpointDir });
    assert.equal(first.resumedFrom, null);
    // the checkpoint holds the finished run: nothing is left to train, the best epoch is restored
    const again = await runTrainCommand({ ...tiny, store: store.url, checkpointDir });
    assert.deepEqual(again.resumedFrom, { fold: 0, epoch: 1 });
    assert.deepEqual(again.val, first.val);
    assert.equal(again.epochs, 1);
  } finally {
    await rm(checkpointDir, { recursive: true, force: true });
  }
});
