import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { residualAdd } from '../../../src/model/residual-add.js';
import { normals } from '../../support/conv-cases.js';
import { compiledShaderKeys, maxDifference, useBackend, valuesOn } from '../../support/webgpu.js';

interface SumCase {
  /** The main branch's shape, channels last. */
  mainShape: number[];
  /** The shortcut's channels: the main's (no padding) or fewer. */
  shortcutChannels: number;
}

/** The sum and the gradients of sum(residualAdd(main, shortcut) · r) for main and for shortcut. */
function sumAndGradients({ mainShape, shortcutChannels }: SumCase, seed: number): () => tf.Tensor[] {
  const shortcutShape = [...mainShape.slice(0, -1), shortcutChannels];
  const size = (shape: number[]) => shape.reduce((a, b) => a * b);
  const mainValues = normals(size(mainShape), seed);
  const shortcutValues = normals(size(shortcutShape), seed + 1);
  const upstream = normals(size(mainShape), seed + 2);
  return () => {
    const main = tf.tensor(mainValues, mainShape);
    const shortcut = tf.tensor(shortcutValues, shortcutShape);
    const r = tf.tensor(upstream, mainShape);
    const [mainGradient, shortcutGradient] = tf.grads((m: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(residualAdd(m, s), r)),
    )([main, shortcut]);
    const outputs = [residualAdd(main, shortcut), mainGradient!, shortcutGradient!];
    tf.dispose([main, shortcut, r]);
    return outputs;
  };
}

const cases: SumCase[] = [
  // the ResNet1D's widening block: filters doubled, batch 1 and an odd batch
  { mainShape: [1, 13, 10], shortcutChannels: 5 },
  { mainShape: [3, 19, 12], shortcutChannels: 6 },
  // odd channel counts and lengths, a pad that is not a doubling
  { mainShape: [5, 21, 7], shortcutChannels: 3 },
  { mainShape: [3, 1, 67], shortcutChannels: 66 },
  // the same channels: no padding, the block that does not widen
  { mainShape: [3, 17, 9], shortcutChannels: 9 },
  { mainShape: [1, 33, 64], shortcutChannels: 64 },
  // one channel padded to many, and a rank-4 tensor (any leading axes)
  { mainShape: [3, 11, 13], shortcutChannels: 1 },
  { mainShape: [2, 1, 9, 6], shortcutChannels: 4 },
];

for (const [index, sumCase] of cases.entries()) {
  const { mainShape, shortcutChannels } = sumCase;
  test(`residual sum ${mainShape.join('x')} + ${shortcutChannels} channels: our WebGPU sum and both gradients equal the cpu backend's`, async () => {
    const compute = sumAndGradients(sumCase, 700 + 10 * index);
    const cpu = await valuesOn('cpu', compute);
    const gpu = await valuesOn('webgpu', compute);
    // one float addition per element (correctly rounded in WGSL) and copies: exact, not close
    for (const [at, name] of ['sum', 'main gradient', 'shortcut gradient'].entries())
      assert.equal(maxDifference(gpu[at]!, cpu[at]!), 0, name);
  });
}

test("the residual sums and the padded shortcuts' gradients ran as our programs, with no PadV2", () => {
  const keys = compiledShaderKeys();
  assert.ok(keys.some((key) => key.startsWith('alpha15_residual_add_')));
  assert.ok(keys.some((key) => key.startsWith('alpha15_residual_add_gradient')));
  assert.ok(!keys.some((key) => key.startsWith('pad')), `a PadV2 program ran: ${keys.join(', ')}`);
});

test('a shortcut with more channels than the main branch, or another length, is refused', async () => {
  await useBackend('webgpu');
  for (const shortcutShape of [
    [2, 5, 4],
    [2, 6, 2],
  ])
    assert.throws(
      () => tf.tidy(() => residualAdd(tf.zeros([2, 5, 3]), tf.zeros(shortcutShape))),
      /a residual sum needs a shortcut shaped like the main branch with at most its channels/,
    );
});
