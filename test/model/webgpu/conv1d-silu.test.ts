import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { conv1dBias } from '../../../src/model/conv1d-bias.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { buildResNet1D } from '../../../src/model/resnet1d.js';
import { untrainedMeta } from '../../../fixtures/tiny-model.js';
import { CONV1D_CASES, normals, type ConvCase } from '../../support/conv-cases.js';
import { maxDifference, programsRun, useBackend, valuesOn } from '../../support/webgpu.js';

const TOLERANCE = 1e-4;
const FUSED_PROGRAM = 'alpha15_gemm_conv1d_forward_true_true_silu';

interface Conv1DCase {
  /** [batch, width, Cin] */
  inputShape: [number, number, number];
  taps: number;
  outChannels: number;
  stride: number;
  pad: 'same' | 'valid';
}

/** The conv cases of conv1d.test.ts as 1-D convs, then odd batches and channel counts. */
const CASES: Conv1DCase[] = [
  ...CONV1D_CASES.map(
    ({ inputShape: [batch, , width, channels], filterSize, outChannels, stride, pad }: ConvCase) => ({
      inputShape: [batch, width, channels] as [number, number, number],
      taps: filterSize[1],
      outChannels,
      stride: stride[1],
      pad,
    }),
  ),
  // 70 output channels: two column tiles; 67 input channels: a reduction of 201 terms, 13 slices
  { inputShape: [1, 33, 67], taps: 3, outChannels: 70, stride: 2, pad: 'same' },
  { inputShape: [5, 13, 3], taps: 3, outChannels: 9, stride: 1, pad: 'same' },
  { inputShape: [1, 1, 7], taps: 3, outChannels: 5, stride: 1, pad: 'same' },
];

/** Draws for the case: x, kernel [k, Cin, F], bias (scaled so SiLU sees both signs and large values). */
function operands(convCase: Conv1DCase, seed: number): () => [tf.Tensor3D, tf.Tensor3D, tf.Tensor1D] {
  const { inputShape, taps, outChannels } = convCase;
  const kernelShape: [number, number, number] = [taps, inputShape[2], outChannels];
  const xValues = normals(
    inputShape.reduce((a, b) => a * b),
    seed,
  ).map((v) => v * 3);
  const kernelValues = normals(
    kernelShape.reduce((a, b) => a * b),
    seed + 1,
  );
  const biasValues = normals(outChannels, seed + 2);
  return () => [
    tf.tensor3d(xValues, inputShape),
    tf.tensor3d(kernelValues, kernelShape),
    tf.tensor1d(biasValues),
  ];
}

for (const [index, convCase] of CASES.entries()) {
  const { inputShape, taps, outChannels, stride, pad } = convCase;
  test(`conv1d + bias + SiLU ${inputShape.join('x')} -> ${outChannels}, kernel ${taps}, stride ${stride}, '${pad}': one WebGPU pass equals conv, bias, then SiLU on the cpu backend`, async () => {
    const draw = operands(convCase, 2000 + index * 10);
    const options = { stride, padding: pad, silu: true };
    // the reference: the conv with its bias, then x · sigmoid(x), each its own op
    const cpu = await valuesOn('cpu', () => {
      const [x, kernel, bias] = draw();
      const y = conv1dBias(x, kernel, bias, { ...options, silu: false });
      const output = tf.mul(y, tf.sigmoid(y));
      tf.dispose([x, kernel, bias, y]);
      return [output];
    });
    const { result: gpu, programs } = await programsRun(() =>
      valuesOn('webgpu', () => {
        const [x, kernel, bias] = draw();
        const output = conv1dBias(x, kernel, bias, options);
        tf.dispose([x, kernel, bias]);
        return [output];
      }),
    );
    assert.deepEqual(programs, [FUSED_PROGRAM], 'one pass');
    const difference = maxDifference(gpu[0]!, cpu[0]!);
    assert.ok(difference <= TOLERANCE, `differs by ${difference}`);
    assert.ok(
      cpu[0]!.some((value) => value < -0.1) && cpu[0]!.some((value) => value > 1),
      'both sides of SiLU',
    );
  });
}

test('under a gradient tape the op is the conv then SiLU, with the cpu backend gradients', async () => {
  const convCase = CASES[CASES.length - 3]!;
  const draw = operands(convCase, 77);
  const options = { stride: convCase.stride, padding: convCase.pad, silu: true };
  const compute = (): tf.Tensor[] => {
    const [x, kernel, bias] = draw();
    // sum(y · r) with a fixed random r, so dy is not uniform
    const gradients = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const y = conv1dBias(a, w, b, options);
      return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', 5)));
    })([x, kernel, bias]);
    tf.dispose([x, kernel, bias]);
    return gradients;
  };
  const cpu = await valuesOn('cpu', compute);
  const { result: gpu, programs } = await programsRun(() => valuesOn('webgpu', compute));
  assert.ok(!programs.some((key) => key.includes(FUSED_PROGRAM)), 'the fused program ran under a tape');
  assert.ok(programs.some((key) => key.includes('alpha15_silu_gradient')));
  for (const [at, reference] of cpu.entries()) {
    const scale = Math.max(1, ...reference.map(Math.abs));
    const difference = maxDifference(gpu[at]!, reference);
    assert.ok(difference <= TOLERANCE * scale, `gradient ${at} differs by ${difference}`);
  }
});

// Odd window and channel counts; stride-2 blocks at 2 and 4, block 4 doubles the filters.
const MODEL = { timesteps: 21, channels: 5, outputs: 3, filters: 6, blocks: 5, kernelSize: 3, seed: 3 };

/** The weights of the first model built (on cpu), given to every model. */
let weights: Float32Array[] | undefined;

/** The model's predictions for `batch` windows through createPredictor on `backend`. */
async function predictOn(backend: 'cpu' | 'webgpu', batch: number): Promise<Float32Array> {
  await useBackend(backend);
  const model = buildResNet1D(MODEL);
  const symbols = ['AAAUSDT', 'BBBUSDT', 'CCCUSDT'];
  const meta = {
    ...untrainedMeta({
      id: '20260210T120000Z-abcdef',
      symbols,
      windowMinutes: MODEL.timesteps,
      horizonMinutes: 15,
      channels: MODEL.channels,
      targetScale: [1, 0.5, 2],
      architecture: {
        filters: MODEL.filters,
        blocks: MODEL.blocks,
        kernelSize: MODEL.kernelSize,
        seed: MODEL.seed,
      },
      data: { fromMs: 0, toMs: 60_000 },
      createdAtMs: 60_000,
    }),
    formatVersion: 1 as const,
    weightsByteLength: 0,
  };
  // predictBatch takes windows already normalised: the stats only serve featuresOf
  const stats = {
    symbols,
    featureNames: ['f'],
    timeChannels: false,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    countPerCoin: [1, 1, 1],
  };
  weights ??= model.getWeights().map((weight) => weight.dataSync() as Float32Array);
  model.setWeights(model.getWeights().map((weight, at) => tf.tensor(weights![at]!, weight.shape)));
  const predictor = createPredictor(meta, stats, model);
  try {
    return await predictor.predictBatch(normals(batch * MODEL.timesteps * MODEL.channels, 9), batch);
  } finally {
    predictor.dispose();
  }
}

for (const batch of [1, 3])
  test(`a tiny ResNet1D's predictions on WebGPU, batch ${batch}: every conv + SiLU is one pass, and the values equal the cpu backend's`, async () => {
    const cpu = await predictOn('cpu', batch);
    const { result: gpu, programs } = await programsRun(() => predictOn('webgpu', batch));
    const difference = maxDifference(gpu, cpu);
    assert.ok(difference <= TOLERANCE * Math.max(1, ...cpu.map(Math.abs)), `differs by ${difference}`);
    const count = (name: string) => programs.filter((key) => key.includes(name)).length;
    // the stem and each block's first conv, with their SiLUs; each block's sum keeps its own SiLU pass
    assert.equal(count(FUSED_PROGRAM), 1 + MODEL.blocks);
    assert.equal(count('alpha15_silu'), MODEL.blocks);
    // the unfused convs: each block's second, whose output goes to the residual sum
    assert.equal(
      programs.filter((key) => key === 'alpha15_gemm_conv1d_forward_true_true').length,
      MODEL.blocks,
    );
  });
