import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { forwardReturns } from '../../src/features/targets.js';
import type { EpochRecord } from '../../src/model/artifacts.js';
import { selectBackend } from '../../src/model/backend.js';
import { fitFoldModel } from '../../src/model/fit-fold-model.js';
import type { FoldProgress } from '../../src/model/training-loop.js';
import { planFolds } from '../../src/model/walk-forward.js';
import { leadLagOptions, syntheticFrame, tinyConfig } from '../support/model-fixtures.js';

const frame = syntheticFrame(leadLagOptions(4_000, 3));
// A learning rate high enough that validation stops improving within a few epochs: the plateau cut and
// early stopping both fire, so the decisions under comparison are not all "improved".
const config = tinyConfig({
  training: {
    epochs: 8,
    sampleStrideMinutes: 3,
    learningRate: 3e-2,
    plateauPatience: 1,
    earlyStoppingPatience: 2,
  },
});
const targets = forwardReturns(frame, config.horizonMinutes);
const [fold] = planFolds(frame.length, config).folds;

interface Run {
  records: Omit<EpochRecord, 'elapsedMs'>[];
  batches: Array<{ epoch: number; samplesDone: number; loss: number }>;
  bestEpoch: number;
  weights: Float32Array[];
  checkpoints: FoldProgress[];
}

async function run(lossReadSteps: number, abortAfterEpoch?: number): Promise<Run> {
  const batches: Run['batches'] = [];
  const checkpoints: FoldProgress[] = [];
  const abort = new AbortController();
  const { model, fit } = await fitFoldModel(frame, targets, fold!, config, {
    lossReadSteps,
    signal: abort.signal,
    onBatch: ({ epoch, samplesDone, loss }) => batches.push({ epoch, samplesDone, loss }),
    onEpoch: (record) => {
      if (record.epoch === abortAfterEpoch) abort.abort();
    },
    onCheckpoint: async ({ progress }) => {
      checkpoints.push(progress);
    },
  });
  const weights = model.getWeights().map((weight) => weight.dataSync() as Float32Array);
  model.dispose();
  return {
    records: fit.records.map(({ elapsedMs: _elapsedMs, ...record }) => record),
    batches,
    bestEpoch: fit.bestEpoch,
    weights,
    checkpoints,
  };
}

test('reading the loss every 4 steps instead of every step changes no loss, decision, callback or weight', async () => {
  await selectBackend('wasm', { threads: 1 });
  const everyStep = await run(1);
  const everyFourth = await run(4);
  const batchesPerEpoch = everyStep.batches.filter((batch) => batch.epoch === 1).length;
  assert.ok(
    batchesPerEpoch % 4 !== 0,
    `${batchesPerEpoch} batches: the last read of an epoch is a partial one`,
  );
  // the run exercised every decision: an improvement, a plateau cut, and early stopping before the end
  assert.ok(everyStep.records.some((record) => !record.improved));
  assert.ok(
    new Set(everyStep.records.map((record) => record.learningRate)).size > 1,
    'the plateau cut fired',
  );
  assert.ok(everyStep.records.length < config.training.epochs, 'early stopping fired');

  assert.deepEqual(everyFourth.records, everyStep.records);
  assert.equal(everyFourth.bestEpoch, everyStep.bestEpoch);
  assert.deepEqual(everyFourth.batches, everyStep.batches);
  assert.deepEqual(everyFourth.weights, everyStep.weights);
  assert.deepEqual(
    everyFourth.checkpoints.map(({ stoppedEarly, epochsSinceBest, learningRate }) => ({
      stoppedEarly,
      epochsSinceBest,
      learningRate,
    })),
    everyStep.checkpoints.map(({ stoppedEarly, epochsSinceBest, learningRate }) => ({
      stoppedEarly,
      epochsSinceBest,
      learningRate,
    })),
  );
});

test('a run stopped by its signal checkpoints the same step and loss sum whatever the read interval', async () => {
  await selectBackend('wasm', { threads: 1 });
  const tensorsBefore = tf.memory().numTensors;
  const [everyStep, everyFourth] = [await run(1, 1), await run(4, 1)];
  const inFlight = (result: Run) => result.checkpoints.find((progress) => progress.inFlight)?.inFlight;
  assert.deepEqual(inFlight(everyStep), {
    epoch: 2,
    batchesDone: 1,
    lossSum: inFlight(everyStep)!.lossSum,
    samplesDone: 64,
  });
  assert.deepEqual(inFlight(everyFourth), inFlight(everyStep));
  assert.ok(inFlight(everyStep)!.lossSum > 0);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no unread loss is left behind');
});
