import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { mulberry32, normalSource } from '../../../src/random.js';
import { silu } from '../../../src/model/silu.js';
import { compiledShaderKeys, maxDifference, valuesOn } from '../../support/webgpu.js';

const TOLERANCE = 1e-5;

/** SiLU and its gradient against a random upstream gradient, over values from -100 to 100. */
function siluAndGradient(shape: number[], seed: number): () => tf.Tensor[] {
  const count = shape.reduce((a, b) => a * b);
  const draw = normalSource(mulberry32(seed));
  // wide enough that exp(-x) overflows (x < -88) and the sigmoid saturates at both ends
  const xValues = Float32Array.from({ length: count }, (_, at) =>
    at % 7 === 0 ? 100 * Math.sin(at) : 3 * draw(),
  );
  const upstream = Float32Array.from({ length: count }, draw);
  return () => {
    const x = tf.tensor(xValues, shape);
    const weights = tf.tensor(upstream, shape);
    const [gradient] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(silu(v), weights)))([x]);
    const outputs = [silu(x), gradient!];
    tf.dispose([x, weights]);
    return outputs;
  };
}

for (const shape of [[3, 19, 5], [2, 1, 33, 67], [1], [7, 131]]) {
  test(`SiLU over ${shape.join('x')}: our WebGPU forward and gradient equal the cpu backend's`, async () => {
    const compute = siluAndGradient(shape, shape.length * 100 + shape[0]!);
    const cpu = await valuesOn('cpu', compute);
    const gpu = await valuesOn('webgpu', compute);
    for (const [at, name] of ['forward', 'gradient'].entries()) {
      const difference = maxDifference(gpu[at]!, cpu[at]!);
      assert.ok(
        difference <= TOLERANCE * Math.max(1, ...cpu[at]!.map(Math.abs)),
        `${name} differs by ${difference}`,
      );
      assert.ok(gpu[at]!.every(Number.isFinite), `${name} has a non-finite value`);
    }
  });
}

test('SiLU ran as our one-pass programs', () => {
  const keys = compiledShaderKeys();
  assert.ok(keys.some((key) => key.startsWith('alpha15_silu_')));
  assert.ok(keys.some((key) => key.startsWith('alpha15_silu_gradient')));
});
