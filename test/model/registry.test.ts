import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { batches } from '../../src/features/dataset.js';
import { forwardReturns } from '../../src/features/targets.js';
import { modelKey } from '../../src/model/artifacts.js';
import { currentGitRevision } from '../../src/model/git-revision.js';
import { loadPredictor } from '../../src/model/predictor.js';
import {
  getChampion,
  getModelFile,
  listModelIds,
  loadModel,
  putModelFile,
  readEpochRecords,
  setChampion,
} from '../../src/model/registry.js';
import {
  CorruptModelArtifactError,
  ModelFileExistsError,
  ModelNotFoundError,
  ModelShapeMismatchError,
  ModelSymbolsMismatchError,
} from '../../src/model/registry-errors.js';
import { trainModel, type TrainResult } from '../../src/app/train.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { strategyParamsSchema, THRESHOLDS_FILE } from '../../src/strategy/params.js';
import { leadLagOptions, syntheticFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';

const config = tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 4 } });
const frame = syntheticFrame(leadLagOptions(6_000, 3));
let store: LocalStore;
let cleanup: () => Promise<void>;
let trained: TrainResult;

before(async () => {
  ({ store, cleanup } = await tempStore());
  trained = await trainModel({
    frame,
    config,
    store,
    backend: 'wasm',
    nowMs: Date.parse('2026-02-24T12:00:00Z'),
  });
});
after(async () => {
  trained.predictor.dispose();
  await cleanup();
});

/** Copies a model's files to a second id so a test can damage the copy. */
async function copyModel(
  fromId: string,
  toId: string,
  edit: (file: string, bytes: Uint8Array) => Uint8Array = (_, b) => b,
) {
  for (const key of await store.list(`models/${fromId}/`)) {
    const file = key.slice(`models/${fromId}/`.length);
    let bytes = edit(file, (await store.get(key))!);
    if (file === 'meta.json')
      bytes = new TextEncoder().encode(new TextDecoder().decode(bytes).replaceAll(fromId, toId));
    await store.put(modelKey(toId, file), bytes);
  }
}

function editJson(bytes: Uint8Array, change: (value: Record<string, unknown>) => void): Uint8Array {
  const value = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  change(value);
  return new TextEncoder().encode(JSON.stringify(value));
}

test('a saved model loads back and predicts exactly what the trained one did', async () => {
  const loaded = await loadPredictor(store, trained.modelId);
  try {
    assert.equal(trained.modelId, loaded.id);
    assert.match(loaded.id, /^20260224T120000Z-[0-9a-f]{6}$/);
    assert.deepEqual(loaded.stats, trained.predictor.stats);
    const features = loaded.featuresOf(frame);
    const targets = forwardReturns(frame, config.horizonMinutes);
    const endRows = Int32Array.from({ length: 50 }, (_, i) => 2_000 + 7 * i);
    const [batch] = batches(features, targets, endRows, {
      batchSize: 50,
      windowMinutes: config.windowMinutes,
    });
    assert.deepEqual(await loaded.predictBatch(batch!.x, 50), await trained.predictor.predictBatch(batch!.x, 50));
    // one window through predictWindow is the same as the batch's first row
    const first = await loaded.predictWindow(batch!.x.slice(0, config.windowMinutes * features.channels));
    assert.deepEqual(
      Array.from(first),
      Array.from((await loaded.predictBatch(batch!.x, 50)).subarray(0, config.symbols.length)),
    );
  } finally {
    loaded.dispose();
  }
});

test('the artifact holds meta, stats, config, per-epoch metrics and the strategy file slot', async () => {
  const meta = trained.meta;
  assert.deepEqual(meta.symbols, config.symbols);
  assert.equal(meta.windowMinutes, config.windowMinutes);
  assert.equal(meta.channels, config.symbols.length * 8);
  assert.ok(meta.split.train.toMs + meta.split.embargoMinutes * 60_000 <= meta.split.validation.fromMs);
  assert.ok(meta.split.embargoMinutes >= config.windowMinutes + config.horizonMinutes);
  assert.equal(meta.gitRevision, currentGitRevision(), 'the checkout the model was trained from');
  const records = await readEpochRecords(store, trained.modelId);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.ic.length, config.symbols.length);
  const thresholds = await getModelFile(store, trained.modelId, THRESHOLDS_FILE);
  assert.ok(
    thresholds !== undefined,
    'the strategy fitted on validation predictions is stored beside the model',
  );
  assert.deepEqual(
    strategyParamsSchema.parse(JSON.parse(new TextDecoder().decode(thresholds))).pairs,
    trained.thresholds!.pairs,
  );
  await putModelFile(store, trained.modelId, 'calibration.json', '{"ok":true}');
  assert.equal(
    new TextDecoder().decode(await getModelFile(store, trained.modelId, 'calibration.json')),
    '{"ok":true}',
  );
  await assert.rejects(putModelFile(store, trained.modelId, 'meta.json', '{}'), RangeError);
});

test('a model directory is write-once: replacing any of its files fails with MODEL_FILE_EXISTS and keeps the bytes', async () => {
  const weightsKey = modelKey(trained.modelId, 'weights.bin');
  const before = await store.get(weightsKey);
  assert.ok(before !== undefined && before.byteLength > 0);
  await putModelFile(store, trained.modelId, 'evidence.json', '{"first":true}');
  await assert.rejects(
    putModelFile(store, trained.modelId, 'evidence.json', '{"second":true}'),
    (error: unknown) =>
      error instanceof ModelFileExistsError &&
      error.code === 'MODEL_FILE_EXISTS' &&
      error.data.file === 'evidence.json',
  );
  assert.equal(
    new TextDecoder().decode(await getModelFile(store, trained.modelId, 'evidence.json')),
    '{"first":true}',
  );
  await assert.rejects(
    putModelFile(store, trained.modelId, THRESHOLDS_FILE, '{}'),
    ModelFileExistsError,
    'the thresholds saved with the model stay as trained',
  );
  assert.deepEqual(await store.get(weightsKey), before);
});

test('the first model becomes champion and "champion" loads it; setChampion moves the pointer', async () => {
  assert.equal(trained.champion, true);
  assert.equal((await getChampion(store))?.modelId, trained.modelId);
  const champion = await loadModel(store, 'champion');
  assert.equal(champion.meta.id, trained.modelId);
  champion.model.dispose();
  const otherId = '20260301T000000Z-abcdef';
  await copyModel(trained.modelId, otherId);
  await setChampion(store, otherId, 123);
  assert.deepEqual(await getChampion(store), { modelId: otherId, promotedAtMs: 123 });
  await assert.rejects(setChampion(store, '20260302T000000Z-000000'), ModelNotFoundError);
  await setChampion(store, trained.modelId);
});

test('a model whose meta.json was never written does not exist', async () => {
  const halfId = '20260303T000000Z-aaaaaa';
  await store.put(
    modelKey(halfId, 'model.json'),
    (await store.get(modelKey(trained.modelId, 'model.json')))!,
  );
  await assert.rejects(loadModel(store, halfId), ModelNotFoundError);
  assert.ok(!(await listModelIds(store)).includes(halfId));
  assert.ok((await listModelIds(store)).includes(trained.modelId));
});

test('a model asked for with other symbols is rejected', async () => {
  await assert.rejects(
    loadPredictor(store, trained.modelId, { expectedSymbols: [...config.symbols].reverse() }),
    ModelSymbolsMismatchError,
  );
});

test('a model whose network does not have the shape its meta promises is rejected', async () => {
  const id = '20260304T000000Z-bbbbbb';
  await copyModel(trained.modelId, id, (file, bytes) =>
    file === 'meta.json' ? editJson(bytes, (meta) => (meta.windowMinutes = 64)) : bytes,
  );
  await assert.rejects(loadModel(store, id), ModelShapeMismatchError);
});

test('truncated weights, unparsable model.json and a schema-breaking stats.json are corrupt artifacts', async () => {
  const truncated = '20260305T000000Z-cccccc';
  await copyModel(trained.modelId, truncated, (file, bytes) =>
    file === 'weights.bin' ? bytes.subarray(0, bytes.length - 4) : bytes,
  );
  await assert.rejects(loadModel(store, truncated), CorruptModelArtifactError);

  const badJson = '20260306T000000Z-dddddd';
  await copyModel(trained.modelId, badJson, (file, bytes) =>
    file === 'model.json' ? bytes.subarray(0, 100) : bytes,
  );
  await assert.rejects(
    loadModel(store, badJson),
    (error: Error) => error instanceof CorruptModelArtifactError && /not valid JSON/.test(error.message),
  );

  const badStats = '20260307T000000Z-eeeeee';
  await copyModel(trained.modelId, badStats, (file, bytes) =>
    file === 'stats.json' ? editJson(bytes, (stats) => delete stats.std) : bytes,
  );
  await assert.rejects(loadModel(store, badStats), CorruptModelArtifactError);
});

test('a model id that is no id (path tricks included) is simply not found', async () => {
  await assert.rejects(loadModel(store, '../champion'), ModelNotFoundError);
});
