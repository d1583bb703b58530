import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/model/backend.js';
import { type BackendName } from '../../src/contracts/backends.js';
import { conv2DBackpropFilter } from '../../src/model/kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInput } from '../../src/model/kernels/conv2d-backprop-input.js';
import { maxPoolGrad } from '../../src/model/kernels/max-pool-grad.js';
import { identityWithoutCopy } from '../../src/model/kernels/no-copy.js';
import { maskedL1 } from '../../src/model/loss.js';
import { buildResNet1D } from '../../src/model/resnet1d.js';
import { trainModel } from '../../src/app/train.js';
import { CONV1D_CASES, normals, type ConvCase } from '../support/conv-cases.js';
import { leadLagOptions, syntheticFrame, tinyConfig } from '../support/model-fixtures.js';

const TOLERANCE = 1e-4;

/** Largest |wasm - cpu| over every element, per named gradient. */
function maxDifferences(wasm: Float32Array[], cpu: Float32Array[]): number[] {
  return wasm.map((values, index) => {
    const reference = cpu[index]!;
    assert.equal(values.length, reference.length);
    let largest = 0;
    for (let at = 0; at < values.length; at++)
      largest = Math.max(largest, Math.abs(values[at]! - reference[at]!));
    return largest;
  });
}

/** Runs `compute` on each backend with fresh tensors and returns its outputs as plain arrays. */
async function onBackend(backend: BackendName, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await selectBackend(backend, { threads: 2 });
  const outputs = compute();
  const values = outputs.map((output) => output.dataSync() as Float32Array);
  tf.dispose(outputs);
  return values;
}

/** dx and dW of sum(conv(x, W) · r) with a fixed random r, so dy is not uniform. */
function convGradients(convCase: ConvCase, seed: number): () => tf.Tensor[] {
  const { inputShape, filterSize, outChannels, stride, pad } = convCase;
  const filterShape: [number, number, number, number] = [...filterSize, inputShape[3], outChannels];
  const xValues = normals(
    inputShape.reduce((a, b) => a * b),
    seed,
  );
  const filterValues = normals(
    filterShape.reduce((a, b) => a * b),
    seed + 1,
  );
  const outShape = tf.backend_util.computeConv2DInfo(inputShape, filterShape, stride, 1, pad).outShape;
  const weightValues = normals(
    outShape.reduce((a, b) => a * b),
    seed + 2,
  );
  return () => {
    const x = tf.tensor4d(xValues, inputShape);
    const filter = tf.tensor4d(filterValues, filterShape);
    const weights = tf.tensor4d(weightValues, outShape);
    const gradients = tf.grads((input: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, w as tf.Tensor4D, stride, pad), weights)),
    )([x, filter]);
    tf.dispose([x, filter, weights]);
    return gradients;
  };
}

const conv2dCases: ConvCase[] = [
  { inputShape: [2, 9, 8, 3], filterSize: [3, 3], outChannels: 4, stride: [2, 2], pad: 'same' },
  { inputShape: [2, 10, 7, 3], filterSize: [7, 1], outChannels: 2, stride: [1, 2], pad: 'valid' },
  { inputShape: [2, 6, 6, 4], filterSize: [1, 1], outChannels: 5, stride: [2, 1], pad: 'same' },
];

test('the wasm backend runs the fast conv gradient kernels, not the shipped ones', async () => {
  await selectBackend('wasm', { threads: 2 });
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc, conv2DBackpropFilter);
  assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc, conv2DBackpropInput);
  assert.equal(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc, maxPoolGrad);
  assert.equal(tf.getKernel('Identity', 'wasm')?.kernelFunc, identityWithoutCopy);
});

test('a clone or a same-type cast on wasm shares the data, and disposing one leaves the other readable', async () => {
  await selectBackend('wasm', { threads: 2 });
  const x = tf.tensor1d([1, 2, 3]);
  const copies = [tf.clone(x), tf.cast(x, 'float32')];
  x.dispose();
  for (const copy of copies) assert.deepEqual([...copy.dataSync()], [1, 2, 3]);
  assert.deepEqual([...tf.cast(copies[0]!, 'int32').dataSync()], [1, 2, 3], 'a real cast still converts');
  tf.dispose(copies);
});

for (const convCase of [...CONV1D_CASES, ...conv2dCases]) {
  const { inputShape, filterSize, stride, pad } = convCase;
  const name = `${inputShape[1] === 1 ? 'conv1d' : 'conv2d'} ${inputShape.join('x')}, kernel ${filterSize.join('x')}, stride ${stride.join('x')}, '${pad}'`;
  test(`${name}: wasm input and filter gradients equal the cpu backend's to 1e-4`, async () => {
    const compute = convGradients(convCase, 100 + filterSize[1] * 10 + stride[1]);
    const cpu = await onBackend('cpu', compute);
    const wasm = await onBackend('wasm', compute);
    const [inputDifference, filterDifference] = maxDifferences(wasm, cpu);
    assert.ok(inputDifference! <= TOLERANCE, `input gradient differs by ${inputDifference}`);
    assert.ok(filterDifference! <= TOLERANCE, `filter gradient differs by ${filterDifference}`);
    assert.ok(
      cpu[1]!.some((value) => Math.abs(value) > 0.1),
      'the filter gradient is not trivially zero',
    );
  });
}

const maxPoolCases: Array<{
  inputShape: [number, number, number, number];
  size: [number, number];
  stride: [number, number];
  pad: 'same' | 'valid';
}> = [
  // The ResNet1D's identity: pool 2, stride 2 over time, 'same', with several channels.
  { inputShape: [2, 1, 12, 4], size: [1, 2], stride: [1, 2], pad: 'same' },
  { inputShape: [2, 1, 13, 4], size: [1, 2], stride: [1, 2], pad: 'same' },
  { inputShape: [2, 7, 6, 3], size: [3, 3], stride: [2, 2], pad: 'valid' },
  { inputShape: [1, 5, 9, 2], size: [2, 3], stride: [1, 2], pad: 'same' },
];

for (const { inputShape, size, stride, pad } of maxPoolCases) {
  test(`max pool ${inputShape.join('x')}, size ${size.join('x')}, stride ${stride.join('x')}, '${pad}': wasm input gradient equals the cpu backend's`, async () => {
    const xValues = normals(
      inputShape.reduce((a, b) => a * b),
      31,
    );
    const outShape = tf.backend_util.computePool2DInfo(inputShape, size, stride, 1, pad).outShape;
    const weightValues = normals(
      outShape.reduce((a, b) => a * b),
      32,
    );
    const compute = () => {
      const x = tf.tensor4d(xValues, inputShape);
      const weights = tf.tensor4d(weightValues, outShape);
      const gradient = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, size, stride, pad), weights)),
      )(x);
      tf.dispose([x, weights]);
      return [gradient];
    };
    const [difference] = maxDifferences(await onBackend('wasm', compute), await onBackend('cpu', compute));
    assert.ok(difference! <= TOLERANCE, `max-pool gradient differs by ${difference}`);
  });
}

test("sums over leading axes (bias gradients) and over other axes equal the cpu backend's", async () => {
  const values = normals(3 * 5 * 7, 41);
  const compute = () => {
    const x = tf.tensor3d(values, [3, 5, 7]);
    const sums = [
      tf.sum(x, [0, 1]),
      tf.sum(x, 0, true),
      tf.sum(x, [1, 0]),
      tf.sum(x, 2),
      tf.sum(x, [0, 2]),
      tf.sum(x),
    ];
    x.dispose();
    return sums;
  };
  const wasm = await onBackend('wasm', compute);
  const cpu = await onBackend('cpu', compute);
  maxDifferences(wasm, cpu).forEach((difference, index) => {
    assert.ok(difference <= TOLERANCE, `sum #${index} differs by ${difference}`);
  });
});

test('a tiny ResNet1D (downsampling and channel-doubling blocks) has the same weight gradients on wasm and cpu', async () => {
  await selectBackend('cpu');
  const timesteps = 24;
  const channels = 6;
  const outputs = 3;
  // 5 blocks: blocks 2 and 4 downsample (max-pooled identity), block 4 doubles the filters.
  const model = buildResNet1D({
    timesteps,
    channels,
    outputs,
    filters: 4,
    blocks: 5,
    kernelSize: 3,
    seed: 3,
  });
  const inputValues = normals(4 * timesteps * channels, 21);
  const targetValues = normals(4 * outputs, 22);
  const compute = () => {
    const input = tf.tensor3d(inputValues, [4, timesteps, channels]);
    const target = tf.tensor2d(targetValues, [4, outputs]);
    const mask = tf.tensor2d([1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0], [4, outputs]);
    const { grads } = tf.variableGrads(() => maskedL1(target, model.apply(input) as tf.Tensor, mask));
    tf.dispose([input, target, mask]);
    return model.trainableWeights.map((weight) => grads[weight.originalName]!);
  };
  const cpu = await onBackend('cpu', compute);
  const wasm = await onBackend('wasm', compute);
  const differences = maxDifferences(wasm, cpu);
  model.trainableWeights.forEach((weight, index) => {
    assert.ok(differences[index]! <= TOLERANCE, `${weight.originalName} differs by ${differences[index]}`);
  });
  assert.ok(
    cpu[0]!.some((value) => value !== 0),
    'the stem kernel gets a gradient',
  );
  model.dispose();
});

test('training on wasm leaks no tensors: the live tensor count is the same after each epoch', async () => {
  const liveTensorsAfterEpoch: number[] = [];
  await trainModel({
    frame: syntheticFrame(leadLagOptions(3_000, 4)),
    config: tinyConfig({ training: { epochs: 3, sampleStrideMinutes: 8, earlyStoppingPatience: 5 } }),
    backend: 'wasm',
    onEpoch: () => liveTensorsAfterEpoch.push(tf.memory().numTensors),
  });
  assert.equal(liveTensorsAfterEpoch.length, 3);
  assert.equal(liveTensorsAfterEpoch[2], liveTensorsAfterEpoch[1]);
  assert.equal(liveTensorsAfterEpoch[1], liveTensorsAfterEpoch[0]);
});
