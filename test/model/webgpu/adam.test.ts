import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { normals } from '../../support/conv-cases.js';
import { ResumableAdam, type AdamState } from '../../../src/model/resumable-adam.js';
import { compiledShaderKeys, maxDifference, useBackend } from '../../support/webgpu.js';

// odd sizes, a scalar-like [1], and a rank-3 kernel
const SHAPES = [[3, 5, 7], [1], [13]];
const STEPS = 6;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const initial = SHAPES.map((shape, at) => normals(size(shape), 10 + at));
/** Step → variable → gradient, with a few large and tiny values. */
const gradients = Array.from({ length: STEPS }, (_, step) =>
  SHAPES.map((shape, at) => normals(size(shape), 100 * step + at).map((g, i) => (i % 5 === 0 ? g * 1e3 : g))),
);

interface Trained {
  weights: Float32Array[];
  state: AdamState;
}

/** Steps `from` to `to` of Adam over the fixed gradients, optionally from a captured state. */
async function train(from: number, to: number, start?: Trained): Promise<Trained> {
  const optimizer = new ResumableAdam(1e-2, 0.9, 0.999, 1e-7);
  const variables = SHAPES.map((shape, at) =>
    tf.variable(tf.tensor(start?.weights[at] ?? initial[at]!, shape)),
  );
  if (start !== undefined) await optimizer.restoreState(start.state);
  for (let step = from; step < to; step++) {
    const named = variables.map((variable, at) => ({
      name: variable.name,
      tensor: tf.tensor(gradients[step]![at]!, variable.shape),
    }));
    optimizer.applyGradients(named);
    tf.dispose(named.map((entry) => entry.tensor));
  }
  const weights = await Promise.all(
    variables.map(async (variable) => (await variable.data()) as Float32Array),
  );
  const state = await optimizer.captureState();
  optimizer.dispose();
  tf.dispose(variables);
  return { weights, state };
}

function assertClose(actual: Float32Array[], expected: Float32Array[], what: string): void {
  for (const [at, reference] of expected.entries()) {
    const scale = Math.max(1e-3, ...reference.map(Math.abs));
    const difference = maxDifference(actual[at]!, reference);
    assert.ok(difference <= 1e-5 * scale, `${what} ${at} differs by ${difference} (largest ${scale})`);
  }
}

test("fused Adam on WebGPU takes the cpu backend's steps: weights, both moments and the bias-correction powers", async () => {
  await useBackend('cpu');
  let tensorsBefore = tf.memory().numTensors;
  const cpu = await train(0, STEPS);
  const stockTensorsAfter = tf.memory().numTensors - tensorsBefore;
  await useBackend('webgpu');
  tensorsBefore = tf.memory().numTensors;
  const gpu = await train(0, STEPS);
  assert.equal(
    tf.memory().numTensors - tensorsBefore,
    stockTensorsAfter,
    "the fused steps keep no tensor tfjs's do not",
  );
  assertClose(gpu.weights, cpu.weights, 'weight');
  assertClose(gpu.state.firstMoments, cpu.state.firstMoments, 'first moment');
  assertClose(gpu.state.secondMoments, cpu.state.secondMoments, 'second moment');
  assert.equal(gpu.state.iterations, STEPS);
  assert.equal(gpu.state.accBeta1, cpu.state.accBeta1);
  assert.equal(gpu.state.accBeta2, cpu.state.accBeta2);
  assert.ok(
    cpu.weights.some((weights, at) => maxDifference(weights, initial[at]!) > 1e-3),
    'the steps moved the weights',
  );
  for (const name of ['adam_moment_false', 'adam_moment_true', 'adam_step'])
    assert.ok(
      compiledShaderKeys().some((key) => key.startsWith(`alpha15_${name}`)),
      name,
    );
});

test('fused Adam on WebGPU resumed from a captured state ends bit-identical to the uninterrupted run', async () => {
  await useBackend('webgpu');
  const uninterrupted = await train(0, STEPS);
  const resumed = await train(3, STEPS, await train(0, 3));
  assert.deepEqual(resumed.weights, uninterrupted.weights);
  assert.deepEqual(resumed.state, uninterrupted.state);
});
