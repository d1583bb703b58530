import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ChannelZeroPad, ResidualAdd } from '../../src/model/layers.js';
import { deserialiseModel, serialiseModel } from '../../src/model/model-io.js';
import { normals } from '../support/conv-cases.js';

const [BATCH, TIME, CHANNELS, WIDER] = [3, 11, 5, 9];

/** input → conv (WIDER channels) plus the input, its channels zero-padded: the new layer or the old pair. */
function widenedBlock(sum: 'ResidualAdd' | 'ChannelZeroPad + Add'): tf.LayersModel {
  const input = tf.input({ shape: [TIME, CHANNELS] });
  const main = tf.layers
    .conv1d({
      name: 'conv',
      filters: WIDER,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tf.initializers.heNormal({ seed: 5 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const output =
    sum === 'ResidualAdd'
      ? new ResidualAdd({ name: 'sum' }).apply([main, input])
      : tf.layers
          .add({ name: 'sum' })
          .apply([
            main,
            new ChannelZeroPad({ name: 'pad', extraChannels: WIDER - CHANNELS }).apply(
              input,
            ) as tf.SymbolicTensor,
          ]);
  return tf.model({ inputs: input, outputs: output as tf.SymbolicTensor });
}

const windows = normals(BATCH * TIME * CHANNELS, 11);
const upstream = normals(BATCH * TIME * WIDER, 12);

/** The output, and the gradients of sum(output · r) for the conv's kernel and bias and for the input. */
async function outputAndGradients(model: tf.LayersModel): Promise<Float32Array[]> {
  const x = tf.tensor3d(windows, [BATCH, TIME, CHANNELS]);
  const r = tf.tensor3d(upstream, [BATCH, TIME, WIDER]);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const objective = (v: tf.Tensor) => tf.sum(tf.mul(model.apply(v) as tf.Tensor, r)) as tf.Scalar;
  const { grads } = tf.variableGrads(() => objective(x), variables);
  const [inputGradient] = tf.grads(objective)([x]);
  const outputs = [model.predict(x) as tf.Tensor, ...variables.map((v) => grads[v.name]!), inputGradient!];
  const values = await Promise.all(outputs.map(async (output) => (await output.data()) as Float32Array));
  tf.dispose([x, r, ...outputs]);
  return values;
}

test('the residual sum layer computes what the ChannelZeroPad and Add pair computed, bit for bit, gradients included (cpu)', async () => {
  await tf.setBackend('cpu');
  const fused = widenedBlock('ResidualAdd');
  const pair = widenedBlock('ChannelZeroPad + Add');
  pair.setWeights(fused.getWeights());
  const [ours, before] = [await outputAndGradients(fused), await outputAndGradients(pair)];
  assert.equal(ours.length, 4);
  for (const [at, values] of ours.entries()) assert.deepEqual(values, before[at], `tensor ${at}`);
  tf.dispose([fused, pair].flatMap((model) => model.getWeights()));
});

test('a model with the residual sum layer, and one saved before it with the pad and Add pair, both load and predict as saved', async () => {
  await tf.setBackend('cpu');
  for (const sum of ['ResidualAdd', 'ChannelZeroPad + Add'] as const) {
    const model = widenedBlock(sum);
    const saved = await serialiseModel(model);
    assert.ok(
      saved.topologyJson.includes(sum === 'ResidualAdd' ? 'Alpha15ResidualAdd' : 'Alpha15ChannelZeroPad'),
    );
    const loaded = await deserialiseModel('m1', new TextEncoder().encode(saved.topologyJson), saved.weights);
    const x = tf.tensor3d(windows, [BATCH, TIME, CHANNELS]);
    assert.deepEqual(
      await (loaded.predict(x) as tf.Tensor).data(),
      await (model.predict(x) as tf.Tensor).data(),
      sum,
    );
  }
});

test('a model whose shortcut has more channels than its main branch is refused when it is built', () => {
  const input = tf.input({ shape: [TIME, WIDER] });
  const narrow = tf.layers.dense({ units: CHANNELS }).apply(input) as tf.SymbolicTensor;
  assert.throws(
    () => new ResidualAdd().apply([narrow, input]),
    /a residual sum needs a shortcut shaped like the main branch with at most its channels: main \[-1, 11, 5\], shortcut \[-1, 11, 9\]/,
  );
});
