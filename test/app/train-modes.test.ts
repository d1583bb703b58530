import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { batches } from '../../src/features/dataset.js';
import { sliceFrame } from '../../src/lake/frame.js';
import { forwardReturns } from '../../src/features/targets.js';
import { loadPredictor } from '../../src/model/predictor.js';
import { getChampion, readEpochRecords } from '../../src/model/registry.js';
import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../../src/app/train.js';
import { selectBackend } from '../../src/model/backend.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { leadLagOptions, syntheticFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';

let store: LocalStore;
let cleanup: () => Promise<void>;
before(async () => ({ store, cleanup } = await tempStore()));
after(() => cleanup());

test('walk-forward trains k expanding folds in time order and keeps the last one', async () => {
  const config = tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 4, walkForwardFolds: 3 } });
  const frame = syntheticFrame(leadLagOptions(8_000, 5));
  const result = await trainModel({ frame, config, store, backend: 'wasm' });

  assert.equal(result.folds.length, 3);
  const embargoMs = (config.windowMinutes + config.horizonMinutes) * MINUTE_MS;
  result.folds.forEach((fold, index) => {
    assert.equal(fold.fold, index);
    assert.equal(fold.train.fromMs, frame.startTimeMs, 'every fold trains from the start (expanding window)');
    assert.ok(
      fold.train.toMs + embargoMs <= fold.validation.fromMs,
      'an embargo separates training and validation',
    );
    if (index > 0) {
      const previous = result.folds[index - 1]!;
      assert.ok(fold.train.toMs > previous.train.toMs);
      assert.ok(fold.validation.fromMs >= previous.validation.toMs, 'validation blocks follow each other');
    }
  });
  assert.deepEqual(result.meta.split.validation, result.folds[2]!.validation);
  assert.equal(result.meta.split.test, null);
  assert.ok(Number.isFinite(result.foldMean!.ic));
  assert.deepEqual(
    (await readEpochRecords(store, result.modelId)).map((record) => record.fold),
    [0, 1, 2],
  );
});

test('fine-tuning starts from the parent model and its stats, and trains on the new data only', async () => {
  const market = leadLagOptions(12_000, 8);
  const wholeFrame = syntheticFrame(market);
  const splitMs = wholeFrame.startTimeMs + 6_000 * MINUTE_MS;
  const older = syntheticFrame({ ...market, minutes: 6_000 });
  const config = tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 4 } });
  const parent = await trainModel({ frame: older, config, store, backend: 'wasm' });

  // New minutes only (plus one window of context); a learning rate of ~0 shows the weights come from the parent.
  const frozen = tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 4, learningRate: 1e-12 } });
  const championBefore = await getChampion(store);
  const child = await trainModel({
    frame: sliceFrame(
      wholeFrame,
      (splitMs - config.windowMinutes * MINUTE_MS - wholeFrame.startTimeMs) / MINUTE_MS,
    ),
    config: frozen,
    store,
    backend: 'wasm',
    initModelId: parent.modelId,
    predictor: true,
  });
  const reloadedParent = await loadPredictor(store, parent.modelId);
  try {
    assert.equal(child.meta.parentModelId, parent.modelId);
    assert.deepEqual(child.predictor.stats, reloadedParent.stats);
    assert.deepEqual(child.meta.targetScale, reloadedParent.meta.targetScale);
    assert.ok(child.meta.data.fromMs >= parent.meta.data.toMs - config.windowMinutes * MINUTE_MS);
    const features = child.predictor.featuresOf(wholeFrame);
    const endRows = Int32Array.from({ length: 20 }, (_, i) => 7_000 + 13 * i);
    const [batch] = batches(features, forwardReturns(wholeFrame, 15), endRows, {
      batchSize: 20,
      windowMinutes: config.windowMinutes,
    });
    const childPredictions = await child.predictor.predictBatch(batch!.x, 20);
    const parentPredictions = await reloadedParent.predictBatch(batch!.x, 20);
    childPredictions.forEach((value, at) =>
      assert.ok(Math.abs(value - parentPredictions[at]!) < 1e-6 * (1 + Math.abs(value))),
    );
    assert.deepEqual(await getChampion(store), championBefore, 'a fine-tuned model is not promoted unasked');
  } finally {
    child.predictor.dispose();
    reloadedParent.dispose();
  }
});

test('an abort (Ctrl-C) stops after the current batch and saves the best epoch so far', async () => {
  const config = tinyConfig({ training: { epochs: 6, sampleStrideMinutes: 4 } });
  const abort = new AbortController();
  const result = await trainModel({
    frame: syntheticFrame(leadLagOptions(6_000, 9)),
    config,
    store,
    backend: 'wasm',
    signal: abort.signal,
    onEpoch: (record) => record.epoch === 1 && abort.abort(),
  });
  assert.equal(result.aborted, true);
  assert.equal(result.epochs.length, 2, 'epoch 2 ends after its first batch');
  assert.ok(result.epochs[1]!.trainSamples <= config.training.batchSize);
  const reloaded = await loadPredictor(store, result.modelId);
  reloaded.dispose();
});

test('the trained model stays in memory only when the caller asks for a predictor', async () => {
  const config = tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 8 } });
  const frame = syntheticFrame(leadLagOptions(4_000, 4));
  await selectBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const saved = await trainModel({ frame, config, store, backend: 'wasm' });
  assert.equal('predictor' in saved, false);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no model left in memory');
  const reloaded = await loadPredictor(store, saved.modelId);
  reloaded.dispose();

  const kept = await trainModel({ frame, config, backend: 'wasm', predictor: true });
  try {
    assert.ok(tf.memory().numTensors > tensorsBefore, 'the model is in memory');
    assert.equal(kept.predictor.id, kept.modelId);
    assert.equal(
      (await kept.predictor.predictWindow(new Float32Array(config.windowMinutes * kept.meta.channels)))
        .length,
      config.symbols.length,
    );
  } finally {
    kept.predictor.dispose();
  }
  assert.equal(tf.memory().numTensors, tensorsBefore, 'disposing the predictor frees the model');
});
