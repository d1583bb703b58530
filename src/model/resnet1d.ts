/**
 * The ResNet1D of the research this project continues, in TensorFlow.js layers:
 *
 *   input [timesteps, channels]
 *   → conv(filters) → SiLU
 *   → `blocks` residual blocks: conv → SiLU → conv, plus the identity, → SiLU
 *       every 2nd block (from the 3rd on) halves time with a stride-2 first conv; its identity is max-pooled
 *       every 4th block (from the 5th on) doubles the filters; its identity gets zero-padded channels
 *   → global average pooling → dense(outputs) → dense(outputs → outputs)
 *
 * No batch norm: batch statistics would mix coins and minutes of very different volatility, and a
 * model that behaves differently in training and inference is a source of paper-trading surprises.
 * Every initialiser is seeded, so the same seed builds the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedConv1D, ResidualAdd, SiLU } from './layers.js';

export interface ResNet1DOptions {
  /** Minutes per window (512 by default in config). */
  timesteps: number;
  /** Input channels: coins x features (+ optional time channels). */
  channels: number;
  /** One prediction per coin. */
  outputs: number;
  filters?: number;
  blocks?: number;
  kernelSize?: number;
  seed?: number;
}

export const RESNET1D_DEFAULTS = { filters: 64, blocks: 6, kernelSize: 3, seed: 42 } as const;

/** Block index → does it halve the time axis? Every 2 blocks, never the first. */
export function downsamplesAt(blockIndex: number): boolean {
  return blockIndex > 0 && blockIndex % 2 === 0;
}

/** Block index → its filter count: doubling every 4 blocks. */
export function filtersAt(blockIndex: number, filters: number): number {
  return filters * 2 ** Math.floor(blockIndex / 4);
}

export function buildResNet1D(options: ResNet1DOptions): tf.LayersModel {
  const { timesteps, channels, outputs } = options;
  const filters = options.filters ?? RESNET1D_DEFAULTS.filters;
  const blocks = options.blocks ?? RESNET1D_DEFAULTS.blocks;
  const kernelSize = options.kernelSize ?? RESNET1D_DEFAULTS.kernelSize;
  const seed = options.seed ?? RESNET1D_DEFAULTS.seed;
  // Each layer draws from its own seed: one shared seed would give same-shaped layers identical weights.
  let layerCount = 0;
  const nextSeed = (): number => seed * 1009 + ++layerCount;

  const conv = (name: string, filterCount: number, strides: number): tf.layers.Layer =>
    new FusedConv1D({
      name,
      filters: filterCount,
      kernelSize,
      strides,
      padding: 'same',
      kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
    });
  const silu = (name: string): tf.layers.Layer => new SiLU({ name });

  const input = tf.input({ shape: [timesteps, channels], name: 'window' });
  // The stem stays an unfused conv: a fused conv's gradient always computes the input gradient too,
  // and for the stem (the widest conv, over the raw window) that is wasted work as large as its forward.
  const stem = tf.layers.conv1d({
    name: 'stem_conv',
    filters,
    kernelSize,
    padding: 'same',
    kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
    biasInitializer: 'zeros',
  });
  let x = silu('stem_silu').apply(stem.apply(input)) as tf.SymbolicTensor;
  for (let block = 0; block < blocks; block++) {
    const stride = downsamplesAt(block) ? 2 : 1;
    const blockWidth = filtersAt(block, filters);
    let residual = conv(`block${block}_conv1`, blockWidth, stride).apply(x) as tf.SymbolicTensor;
    residual = silu(`block${block}_silu1`).apply(residual) as tf.SymbolicTensor;
    residual = conv(`block${block}_conv2`, blockWidth, 1).apply(residual) as tf.SymbolicTensor;
    let identity = x;
    if (stride === 2) {
      identity = tf.layers
        .maxPooling1d({ name: `block${block}_pool`, poolSize: 2, strides: 2, padding: 'same' })
        .apply(identity) as tf.SymbolicTensor;
    }
    // the sum zero-pads the identity's channels in the blocks that widen
    x = new ResidualAdd({ name: `block${block}_add` }).apply([residual, identity]) as tf.SymbolicTensor;
    x = silu(`block${block}_silu2`).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling1d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({
      name: 'head',
      units: outputs,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
    })
    .apply(x) as tf.SymbolicTensor;
  // A second square layer lets one coin's prediction borrow from the others' (the lead-lag the research hunts).
  const output = tf.layers
    .dense({
      name: 'mix',
      units: outputs,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'resnet1d' });
}

/** A one-line description for logs and reports, e.g. "resnet1d: 1,234,567 parameters in 31 layers". */
export function describeParameters(model: tf.LayersModel): string {
  return `${model.name}: ${model.countParams().toLocaleString('en-US')} parameters in ${model.layers.length} layers`;
}
