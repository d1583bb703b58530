import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { forwardReturns } from '../../../src/features/targets.js';
import { fitFoldModel } from '../../../src/model/fit-fold-model.js';
import { lossReadStepsFor } from '../../../src/model/training-loop.js';
import { planFolds } from '../../../src/model/walk-forward.js';
import { leadLagOptions, syntheticFrame, tinyConfig } from '../../support/model-fixtures.js';
import { maxDifference, useBackend } from '../../support/webgpu.js';

const frame = syntheticFrame(leadLagOptions(2_000, 4));
const config = tinyConfig({ training: { epochs: 2, sampleStrideMinutes: 4 } });
const targets = forwardReturns(frame, config.horizonMinutes);
const [fold] = planFolds(frame.length, config).folds;

async function fitOn(backend: 'cpu' | 'webgpu') {
  await useBackend(backend);
  const tensorsBefore = tf.memory().numTensors;
  const losses: number[] = [];
  const { model, fit } = await fitFoldModel(frame, targets, fold!, config, {
    onBatch: ({ loss }) => losses.push(loss),
  });
  const weights = await Promise.all(
    model.getWeights().map(async (weight) => (await weight.data()) as Float32Array),
  );
  model.dispose();
  return { fit, losses, weights, tensorsLeft: tf.memory().numTensors - tensorsBefore };
}

test('a fold trains on WebGPU with our kernels (losses read every 16 steps) as it does on the cpu backend', async () => {
  const cpu = await fitOn('cpu');
  const gpu = await fitOn('webgpu');
  assert.equal(lossReadStepsFor('webgpu'), 16);
  assert.equal(gpu.tensorsLeft, cpu.tensorsLeft, 'tensors left behind');
  assert.equal(gpu.losses.length, cpu.losses.length, 'onBatch heard of every step');
  assert.ok(maxDifference(Float32Array.from(gpu.losses), Float32Array.from(cpu.losses)) < 1e-3);
  assert.deepEqual(
    gpu.fit.records.map((record) => [record.epoch, record.improved, record.learningRate]),
    cpu.fit.records.map((record) => [record.epoch, record.improved, record.learningRate]),
  );
  assert.equal(gpu.fit.bestEpoch, cpu.fit.bestEpoch);
  for (const [at, record] of cpu.fit.records.entries()) {
    assert.ok(Math.abs(gpu.fit.records[at]!.trainLoss - record.trainLoss) < 1e-4 * record.trainLoss);
    assert.ok(Math.abs(gpu.fit.records[at]!.valLoss - record.valLoss) < 1e-4 * record.valLoss);
  }
  const weightDifference = Math.max(
    ...gpu.weights.map((weights, at) => maxDifference(weights, cpu.weights[at]!)),
  );
  assert.ok(weightDifference < 1e-3, `weights differ by ${weightDifference}`);
});
