import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { maskedL1 } from '../../../src/model/loss.js';
import { buildResNet1D } from '../../../src/model/resnet1d.js';
import { normals } from '../../support/conv-cases.js';
import { compiledShaderKeys, maxDifference, useBackend, valuesOn } from '../../support/webgpu.js';

// 5 blocks: stride-2 blocks (max-pooled identities) at 2 and 4, and block 4 doubles the filters (a
// zero-padded identity: our residual sum and its shortcut gradient). Odd window and channel counts.
const MODEL = { timesteps: 21, channels: 5, outputs: 3, filters: 6, blocks: 5, kernelSize: 3, seed: 3 };
/** The largest batch tested; smaller batches take the first items. */
const MAX_BATCH = 3;

const windows = normals(MAX_BATCH * MODEL.timesteps * MODEL.channels, 1);
const upstream = normals(MAX_BATCH * MODEL.outputs, 2);
const targets = normals(MAX_BATCH * MODEL.outputs, 3);

let weights: Float32Array[] | undefined;

/** The model's output, its masked L1 loss and the gradient of sum(output · r) for every weight. */
async function forwardAndGradients(batch: number): Promise<Float32Array[]> {
  const model = buildResNet1D(MODEL);
  weights ??= await Promise.all(
    model.getWeights().map(async (weight) => (await weight.data()) as Float32Array),
  );
  model.setWeights(model.getWeights().map((weight, at) => tf.tensor(weights![at]!, weight.shape)));
  const values = await valuesOn(tf.getBackend() as 'cpu' | 'webgpu', () => {
    const x = tf.tensor3d(windows.subarray(0, batch * MODEL.timesteps * MODEL.channels), [
      batch,
      MODEL.timesteps,
      MODEL.channels,
    ]);
    const r = tf.tensor2d(upstream.subarray(0, batch * MODEL.outputs), [batch, MODEL.outputs]);
    const y = tf.tensor2d(targets.subarray(0, batch * MODEL.outputs), [batch, MODEL.outputs]);
    const output = model.apply(x, { training: true }) as tf.Tensor;
    const loss = maskedL1(y, output, tf.onesLike(y));
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, r)),
      variables,
    );
    const gradients = variables.map((variable) => grads[variable.name]!);
    tf.dispose([x, r, y]);
    return [output, loss, ...gradients];
  });
  model.dispose();
  return values;
}

for (const batch of [MAX_BATCH, 1])
  test(`a tiny ResNet1D on WebGPU with our kernels, batch ${batch}: output, loss and every weight gradient equal the cpu backend`, async () => {
    await useBackend('cpu');
    const cpu = await forwardAndGradients(batch);
    await useBackend('webgpu');
    const gpu = await forwardAndGradients(batch);
    assert.equal(gpu.length, cpu.length);
    for (const [at, reference] of cpu.entries()) {
      const scale = Math.max(1, ...reference.map(Math.abs));
      const difference = maxDifference(gpu[at]!, reference);
      assert.ok(difference <= 1e-4 * scale, `tensor ${at} differs by ${difference} (largest value ${scale})`);
    }
    const keys = compiledShaderKeys();
    for (const name of [
      'conv1d_forward',
      'conv1d_input_gradient',
      'conv1d_filter_gradient',
      'silu_',
      'max_pool1d_',
      'max_pool1d_gradient',
      'residual_add_',
      'residual_add_gradient',
      'sum_leading_axes_',
    ])
      assert.ok(
        keys.some((key) => key.includes(`alpha15_${name}`) || key.includes(`alpha15_gemm_${name}`)),
        name,
      );
  });
