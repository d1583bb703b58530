import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { normals } from '../../support/conv-cases.js';
import { compiledShaderKeys, maxDifference, valuesOn } from '../../support/webgpu.js';

interface SumCase {
  shape: number[];
  axes: number[];
  keepDims?: boolean;
}

const cases: SumCase[] = [
  // a block conv's bias gradient: dy [batch, 1, time, channels] to [channels], odd sizes (57 rows: two
  // chunks of at most 32)
  { shape: [3, 1, 19, 6], axes: [0, 1, 2] },
  // 2404 rows in 76 chunks of 32, the last one 4 rows long, and 67 columns
  { shape: [4, 1, 601, 67], axes: [0, 1, 2] },
  // the stem's BiasAdd gradient, rank 3, batch 1, and with the reduced axes kept
  { shape: [1, 33, 5], axes: [0, 1] },
  { shape: [3, 21, 7], axes: [1, 0], keepDims: true },
  // one chunk, written out directly: more columns than the first pass aims for threads, or few rows
  { shape: [3, 16411], axes: [0] },
  { shape: [2, 1, 13, 5], axes: [0, 1, 2] },
  // not over the leading axes: tfjs's shipped kernel
  { shape: [3, 19, 6], axes: [2] },
  { shape: [3, 19, 6], axes: [0, 2] },
];

for (const [index, { shape, axes, keepDims = false }] of cases.entries()) {
  test(`sum of ${shape.join('x')} over axes ${axes.join(', ')}${keepDims ? ', dims kept' : ''}: our WebGPU sum equals the cpu backend's`, async () => {
    const values = normals(
      shape.reduce((a, b) => a * b),
      900 + index,
    );
    const compute = () => {
      const x = tf.tensor(values, shape);
      const total = tf.sum(x, axes, keepDims);
      x.dispose();
      return [total];
    };
    const cpu = await valuesOn('cpu', compute);
    const gpu = await valuesOn('webgpu', compute);
    const expectedShape = tf.tidy(() => tf.sum(tf.zeros(shape), axes, keepDims).shape);
    assert.equal(gpu[0]!.length, tf.util.sizeFromShape(expectedShape));
    // float32 sums in chunks against the cpu backend's sequential float32 sum
    const scale = Math.max(1, ...cpu[0]!.map(Math.abs));
    const difference = maxDifference(gpu[0]!, cpu[0]!);
    assert.ok(difference <= 1e-5 * scale, `differs by ${difference} (largest sum ${scale})`);
  });
}

test('the leading-axes sums ran as our programs, both passes', () => {
  const keys = compiledShaderKeys();
  assert.ok(keys.some((key) => key.startsWith('alpha15_sum_leading_axes_')));
  assert.ok(keys.some((key) => key.startsWith('alpha15_sum_leading_axes_partials')));
});

test('an int32 sum over the leading axes stays exact (the shipped kernel)', async () => {
  const compute = () => {
    const x = tf.tensor([2147483, 7, -3, 11, 5, 1], [3, 2], 'int32');
    const total = tf.sum(x, 0);
    x.dispose();
    return [total];
  };
  const [gpu] = await valuesOn('webgpu', compute);
  assert.deepEqual(Array.from(gpu!), [2147483 - 3 + 5, 7 + 11 + 1]);
});
