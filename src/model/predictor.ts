/**
 * The one way to get predictions out of a model, shared by training (validation predictions), the
 * backtest and paper trading: normalised feature windows in, plain forward returns out (the network's
 * unit-scale outputs multiplied back by each coin's target scale). A tfjs backend must be selected first.
 */
import * as tf from '@tensorflow/tfjs';
import { buildFeatures, type FeatureMatrix } from '../features/features.js';
import { applyStats, type NormStats } from '../features/normalise.js';
import type { MarketFrame } from '../lake/frame.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ModelMeta } from './artifacts.js';
import { CONV1D_BIAS_SILU_KERNEL } from './conv1d-bias.js';
import { fuseConvSiLU } from './fuse-conv-silu.js';
import { loadModel, type LoadModelOptions } from './registry.js';

export interface Predictor {
  id: string;
  meta: ModelMeta;
  stats: NormStats;
  model: tf.LayersModel;
  /**
   * `x` is `[batch][windowMinutes][channels]` of normalised features; returns `[batch][coin]` returns.
   * Async because WebGPU in Node can only read results back asynchronously.
   */
  predictBatch(x: Float32Array, batch: number): Promise<Float32Array>;
  /** One `[windowMinutes][channels]` window; returns one predicted return per coin. */
  predictWindow(window: Float32Array): Promise<Float32Array>;
  /** The frame's features normalised with this model's training stats, ready for windowAt/batches. */
  featuresOf(frame: MarketFrame): FeatureMatrix;
  dispose(): void;
}

export async function loadPredictor(
  store: ObjectStore,
  idOrChampion: string,
  options: LoadModelOptions = {},
): Promise<Predictor> {
  const { meta, stats, model } = await loadModel(store, idOrChampion, options);
  return createPredictor(meta, stats, model);
}

export function createPredictor(meta: ModelMeta, stats: NormStats, model: tf.LayersModel): Predictor {
  const { windowMinutes, channels, targetScale } = meta;
  const coinCount = meta.symbols.length;
  // Where conv + bias + SiLU is one kernel (WebGPU), predict with a copy whose convs and SiLUs are one
  // layer each; elsewhere the model itself, unchanged.
  const inference =
    tf.getKernel(CONV1D_BIAS_SILU_KERNEL, tf.getBackend()) === undefined ? model : fuseConvSiLU(model);
  const predictBatch = async (x: Float32Array, batch: number): Promise<Float32Array> => {
    if (x.length !== batch * windowMinutes * channels) {
      throw new RangeError(`expected ${batch} × ${windowMinutes} × ${channels} values, got ${x.length}`);
    }
    const output = tf.tidy(
      () => inference.predict(tf.tensor3d(x, [batch, windowMinutes, channels])) as tf.Tensor,
    );
    // A copy: on some backends a read hands out the tensor's own storage.
    const returns = ((await output.data()) as Float32Array).slice();
    output.dispose();
    for (let at = 0; at < returns.length; at++) returns[at]! *= targetScale[at % coinCount]!;
    return returns;
  };
  return {
    id: meta.id,
    meta,
    stats,
    model,
    predictBatch,
    predictWindow: (window) => predictBatch(window, 1),
    featuresOf: (frame) => {
      const features = buildFeatures(frame, { timeChannels: meta.timeChannels });
      applyStats(features, stats);
      return features;
    },
    dispose: () => {
      if (inference !== model) inference.dispose();
      model.dispose();
    },
  };
}
