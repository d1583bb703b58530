import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { CONV1D_CASES, normals, type ConvCase } from '../../support/conv-cases.js';
import { compiledShaderKeys, maxDifference, valuesOn } from '../../support/webgpu.js';

const TOLERANCE = 1e-4;

/**
 * The conv with a bias (FusedConv2D), the plain conv (Conv2D) and dx, dW, dbias of
 * sum(conv(x, W) + bias) · r) with a fixed random r, so dy is not uniform.
 */
function convOutputs(convCase: ConvCase, seed: number): () => tf.Tensor[] {
  const { inputShape, filterSize, outChannels, stride, pad } = convCase;
  const filterShape: [number, number, number, number] = [...filterSize, inputShape[3], outChannels];
  const size = (shape: number[]) => shape.reduce((a, b) => a * b);
  const outShape = tf.backend_util.computeConv2DInfo(inputShape, filterShape, stride, 1, pad).outShape;
  const xValues = normals(size(inputShape), seed);
  const filterValues = normals(size(filterShape), seed + 1);
  const biasValues = normals(outChannels, seed + 2);
  const weightValues = normals(size(outShape), seed + 3);
  return () => {
    const x = tf.tensor4d(xValues, inputShape);
    const filter = tf.tensor4d(filterValues, filterShape);
    const bias = tf.tensor1d(biasValues);
    const weights = tf.tensor4d(weightValues, outShape);
    const fused = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.fused.conv2d({ x: input as tf.Tensor4D, filter: w as tf.Tensor4D, strides: stride, pad, bias: b });
    const gradients = tf.grads((input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(fused(input, w, b), weights)),
    )([x, filter, bias]);
    const outputs = [fused(x, filter, bias), tf.conv2d(x, filter, stride, pad), ...gradients];
    tf.dispose([x, filter, bias, weights]);
    return outputs;
  };
}

const OUTPUT_NAMES = ['fused forward', 'forward', 'input gradient', 'filter gradient', 'bias gradient'];

// The wasm tests' cases (channel counts that fill no tile exactly), then 70 output channels: two column tiles.
const conv1dCases: ConvCase[] = [
  ...CONV1D_CASES,
  { inputShape: [2, 1, 33, 67], filterSize: [1, 3], outChannels: 70, stride: [1, 2], pad: 'same' },
  // batch · length 4 · 151 = 604 terms in the filter gradient: the reduction is split over workgroups
  { inputShape: [4, 1, 151, 9], filterSize: [1, 3], outChannels: 13, stride: [1, 1], pad: 'same' },
  // height 2 with a 1-wide filter: two independent rows per batch item
  { inputShape: [2, 2, 11, 3], filterSize: [1, 3], outChannels: 4, stride: [1, 2], pad: 'same' },
];

for (const [index, convCase] of conv1dCases.entries()) {
  const { inputShape, filterSize, outChannels, stride, pad } = convCase;
  test(`conv1d ${inputShape.join('x')} -> ${outChannels}, kernel ${filterSize[1]}, stride ${stride[1]}, '${pad}': our WebGPU forward and gradients equal the cpu backend's`, async () => {
    const compute = convOutputs(convCase, 1000 + index * 10);
    const cpu = await valuesOn('cpu', compute);
    const gpu = await valuesOn('webgpu', compute);
    OUTPUT_NAMES.forEach((name, at) => {
      const difference = maxDifference(gpu[at]!, cpu[at]!);
      assert.ok(difference <= TOLERANCE, `${name} differs by ${difference}`);
    });
    assert.ok(
      cpu[3]!.some((value) => Math.abs(value) > 0.1),
      'the filter gradient is not trivially zero',
    );
  });
}

test('the convs ran as our programs, the filter gradient with a split reduction', () => {
  const keys = compiledShaderKeys();
  for (const name of [
    'conv1d_forward_true_true',
    'conv1d_forward_true_false',
    'conv1d_input_gradient',
    'conv1d_filter_gradient',
  ])
    assert.ok(
      keys.some((key) => key.includes(`alpha15_gemm_${name}`)),
      `no ${name} program among ${keys.length}`,
    );
  assert.ok(keys.some((key) => key.includes('alpha15_sum_leading_axis')));
});

test("a 2-D conv still runs, through tfjs's shipped kernel, and equals the cpu backend", async () => {
  const convCase: ConvCase = {
    inputShape: [2, 5, 6, 3],
    filterSize: [3, 3],
    outChannels: 4,
    stride: [2, 2],
    pad: 'same',
  };
  const compute = convOutputs(convCase, 77);
  const cpu = await valuesOn('cpu', compute);
  const gpu = await valuesOn('webgpu', compute);
  OUTPUT_NAMES.forEach((name, at) => assert.ok(maxDifference(gpu[at]!, cpu[at]!) <= TOLERANCE, name));
});
