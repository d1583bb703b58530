import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { batches } from '../../src/features/dataset.js';
import { forwardReturns } from '../../src/features/targets.js';
import { modelKey } from '../../src/model/artifacts.js';
import { currentGitRevision } from '../../src/model/git-revision.js';
import { loadPredictor } from '../../src/model/predictor.js';
import { sha256Hex } from '../../src/checksum.js';
import {
  getChampion,
  getModelFile,
  getVerifiedChampion,
  listModelIds,
  loadModel,
  putModelFile,
  readEpochRecords,
  setChampion,
} from '../../src/model/registry.js';
import {
  ChampionDigestMismatchError,
  CorruptModelArtifactError,
  ModelFileExistsError,
  ModelDigestMismatchError,
  ModelNotFoundError,
  NonFiniteWeightsError,
  ModelShapeMismatchError,
  ModelSymbolsMismatchError,
} from '../../src/model/registry-errors.js';
import { trainModel, type TrainResultWithPredictor } from '../../src/app/train.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { strategyParamsSchema, THRESHOLDS_FILE } from '../../src/strategy/params.js';
import { leadLagOptions, syntheticFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';

// URLs with passwords, as a user may type them: they must never reach a stored file
const config = tinyConfig({
  training: { epochs: 1, sampleStrideMinutes: 4 },
  binanceBaseUrl: 'https://alice:binance-s3cret@api.binance.com',
  telemetry: { opensearchUrl: 'https://admin:opensearch-s3cret@search.example.com' },
});
const frame = syntheticFrame(leadLagOptions(6_000, 3));
let store: LocalStore;
let cleanup: () => Promise<void>;
let trained: TrainResultWithPredictor;

before(async () => {
  ({ store, cleanup } = await tempStore());
  trained = await trainModel({
    frame,
    config,
    store,
    backend: 'wasm',
    nowMs: Date.parse('2026-02-24T12:00:00Z'),
    predictor: true,
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
    assert.deepEqual(
      await loaded.predictBatch(batch!.x, 50),
      await trained.predictor.predictBatch(batch!.x, 50),
    );
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
  assert.deepEqual(await getChampion(store), {
    modelId: otherId,
    promotedAtMs: 123,
    weightsSha256: trained.meta.files!['weights.bin'],
  });
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

/** The damage that each file of a copy gets, with meta.json edited by `editMeta`. */
function damage(
  editMeta: (meta: Record<string, unknown>) => void,
  file: string,
  edit: (bytes: Uint8Array) => Uint8Array,
) {
  return (name: string, bytes: Uint8Array) =>
    name === 'meta.json' ? editJson(bytes, editMeta) : name === file ? edit(bytes) : bytes;
}
const legacy = (meta: Record<string, unknown>) => delete meta.files;
const keepMeta = () => {};

test('in a model saved before digests, truncated weights, unparsable model.json and a schema-breaking stats.json are corrupt artifacts', async () => {
  const truncated = '20260305T000000Z-cccccc';
  await copyModel(
    trained.modelId,
    truncated,
    damage(legacy, 'weights.bin', (bytes) => bytes.subarray(0, bytes.length - 4)),
  );
  await assert.rejects(loadModel(store, truncated), CorruptModelArtifactError);

  const badJson = '20260306T000000Z-dddddd';
  await copyModel(
    trained.modelId,
    badJson,
    damage(legacy, 'model.json', (bytes) => bytes.subarray(0, 100)),
  );
  await assert.rejects(
    loadModel(store, badJson),
    (error: Error) => error instanceof CorruptModelArtifactError && /not valid JSON/.test(error.message),
  );

  const badStats = '20260307T000000Z-eeeeee';
  await copyModel(
    trained.modelId,
    badStats,
    damage(legacy, 'stats.json', (bytes) => editJson(bytes, (stats) => delete stats.std)),
  );
  await assert.rejects(loadModel(store, badStats), CorruptModelArtifactError);
});

test('meta.json holds the sha256 of every file, and a file changed after the save is refused by name', async () => {
  const files = trained.meta.files!;
  for (const name of [
    'model.json',
    'weights.bin',
    'stats.json',
    'config.json',
    'metrics.jsonl',
    'thresholds.json',
  ]) {
    assert.equal(files[name], sha256Hex((await store.get(modelKey(trained.modelId, name)))!), name);
  }
  // one flipped byte of a weight keeps the length and the JSON valid: only the digest can tell
  const flipped = '20260308T000000Z-ffffff';
  await copyModel(
    trained.modelId,
    flipped,
    damage(keepMeta, 'weights.bin', (bytes) => bytes.map((byte, index) => (index === 100 ? byte ^ 1 : byte))),
  );
  await assert.rejects(
    loadModel(store, flipped),
    (error: Error) =>
      error instanceof ModelDigestMismatchError &&
      error.code === 'MODEL_DIGEST_MISMATCH' &&
      /weights\.bin/.test(error.message),
  );
  const stats = '20260308T000000Z-fffff0';
  await copyModel(
    trained.modelId,
    stats,
    damage(keepMeta, 'stats.json', (bytes) =>
      editJson(bytes, (value) => ((value.mean as number[])[0]! += 1)),
    ),
  );
  await assert.rejects(loadModel(store, stats), ModelDigestMismatchError);
  const thresholds = '20260308T000000Z-fffff1';
  await copyModel(
    trained.modelId,
    thresholds,
    damage(keepMeta, THRESHOLDS_FILE, (bytes) => editJson(bytes, () => {})),
  );
  await assert.rejects(getModelFile(store, thresholds, THRESHOLDS_FILE), ModelDigestMismatchError);
});

test('weights full of NaN are refused at load even when their digest matches (a diverged training run)', async () => {
  const nanId = '20260309T000000Z-a0a0a0';
  const nanWeights = new Uint8Array(
    new Float32Array(trained.meta.weightsByteLength / 4).fill(Number.NaN).buffer,
  );
  await copyModel(
    trained.modelId,
    nanId,
    damage(
      (meta) => ((meta.files as Record<string, string>)['weights.bin'] = sha256Hex(nanWeights)),
      'weights.bin',
      () => nanWeights,
    ),
  );
  await assert.rejects(
    loadModel(store, nanId),
    (error: Error) => error instanceof NonFiniteWeightsError && error.code === 'NON_FINITE_WEIGHTS',
  );
  await assert.rejects(setChampion(store, nanId), NonFiniteWeightsError, 'never promoted either');
  assert.equal((await getChampion(store))?.modelId, trained.modelId);
});

test('the champion pointer carries the digest of its weights; weights replaced under it are refused', async () => {
  const pointer = (await getChampion(store))!;
  assert.equal(pointer.weightsSha256, trained.meta.files!['weights.bin']);
  const victim = '20260310T000000Z-b0b0b0';
  await copyModel(trained.modelId, victim);
  await setChampion(store, victim, 1);
  // a writer of the model directory replaces the weights and keeps meta.json consistent with them
  const other = (await store.get(modelKey(trained.modelId, 'weights.bin')))!.map((byte, index) =>
    index === 8 ? byte ^ 1 : byte,
  );
  await store.put(modelKey(victim, 'weights.bin'), other);
  const meta = (await store.get(modelKey(victim, 'meta.json')))!;
  await store.put(
    modelKey(victim, 'meta.json'),
    editJson(meta, (value) => ((value.files as Record<string, string>)['weights.bin'] = sha256Hex(other))),
  );
  const loaded = await loadModel(store, victim);
  loaded.model.dispose();
  await assert.rejects(
    loadModel(store, 'champion'),
    (error: Error) =>
      error instanceof ChampionDigestMismatchError && error.code === 'CHAMPION_DIGEST_MISMATCH',
  );
  await assert.rejects(getVerifiedChampion(store), ChampionDigestMismatchError);
  await setChampion(store, trained.modelId);
});

test('a model id that is no id (path tricks included) is simply not found', async () => {
  await assert.rejects(loadModel(store, '../champion'), ModelNotFoundError);
});

test('URL passwords in the config are redacted in the stored config.json and the run record', async () => {
  const stored: string[] = [];
  for (const key of [...(await store.list(`models/${trained.modelId}/`)), ...(await store.list('runs/'))]) {
    stored.push(new TextDecoder().decode(await store.get(key)));
  }
  assert.ok(stored.length >= 2, 'the model files and the run record were written');
  for (const text of stored) assert.ok(!text.includes('s3cret'), text.slice(0, 200));
  const model = await loadModel(store, trained.modelId);
  model.model.dispose();
  assert.equal(model.config.binanceBaseUrl, 'https://***@api.binance.com');
  assert.equal(model.config.telemetry.opensearchUrl, 'https://***@search.example.com');
});
