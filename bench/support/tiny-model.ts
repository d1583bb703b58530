/**
 * A tiny model constructed for the paper-trading tests, stored through the real registry so the tick
 * loads it the way it loads a trained champion. Its one dense layer reads each coin's last
 * log(close/prev close) (identity statistics, target scale 1), so its prediction is known by hand:
 * a 1-minute momentum guess of the next 15 minutes. Thresholds of ±`thresholdReturn` make it trade.
 */
import * as tf from '@tensorflow/tfjs';
import { configSchema } from '../../src/config/schema.js';
import { FEATURE_NAMES, FEATURES_PER_COIN } from '../../src/features/features.js';
import { newModelId, type ModelMeta } from '../../src/model/artifacts.js';
import { selectBackend } from '../../src/model/backend.js';
import { putModelFile, saveModel, setChampion } from '../../src/model/registry.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { THRESHOLDS_FILE, type StrategyParams } from '../../src/strategy/params.js';

export const LOG_CLOSE_FEATURE = FEATURE_NAMES.indexOf('logCloseToPrevClose');

export interface TinyModelOptions {
  symbols: string[];
  windowMinutes: number;
  thresholdReturn: number;
  feeRatePerSide: number;
  horizonMinutes?: number;
  createdAtMs?: number;
}

export function tinyStrategy(options: TinyModelOptions): StrategyParams {
  const side = (threshold: number) => ({ threshold, chosen: null, curve: [] });
  return {
    version: 1,
    horizonMinutes: options.horizonMinutes ?? 15,
    feeRatePerSide: options.feeRatePerSide,
    overlap: 'skip',
    minTrades: 1,
    calibrated: false,
    validation: { fromMs: 0, toMs: 1, splitMs: 0 },
    pairs: Object.fromEntries(
      options.symbols.map((symbol) => [
        symbol,
        {
          calibration: null,
          long: side(options.thresholdReturn),
          short: side(-options.thresholdReturn),
          validationSamples: 0,
        },
      ]),
    ),
  };
}

/** Saves the model with its thresholds and makes it the champion; returns its id. */
/** `strategy`: the thresholds saved with the model (model files are written once), by default chosen for it. */
export async function saveTinyChampion(
  store: ObjectStore,
  options: TinyModelOptions,
  strategy: StrategyParams = tinyStrategy(options),
): Promise<string> {
  // single-threaded: the threaded wasm build's pthread workers keep a test process from exiting
  await selectBackend('wasm', { threads: 1 });
  const { symbols, windowMinutes } = options;
  const channels = symbols.length * FEATURES_PER_COIN;
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [windowMinutes, channels] }),
      tf.layers.dense({ units: symbols.length, useBias: true }),
    ],
  });
  const kernel = new Float32Array(windowMinutes * channels * symbols.length);
  symbols.forEach((_, coin) => {
    const inputIndex = (windowMinutes - 1) * channels + coin * FEATURES_PER_COIN + LOG_CLOSE_FEATURE;
    kernel[inputIndex * symbols.length + coin] = 1;
  });
  model.layers[1]!.setWeights([
    tf.tensor2d(kernel, [windowMinutes * channels, symbols.length]),
    tf.zeros([symbols.length]),
  ]);
  const width = symbols.length * FEATURES_PER_COIN;
  const id = newModelId(options.createdAtMs);
  await saveModel(store, {
    meta: untrainedMeta({
      id,
      symbols,
      windowMinutes,
      horizonMinutes: options.horizonMinutes ?? 15,
      channels,
      targetScale: symbols.map(() => 1),
      architecture: { filters: 1, blocks: 1, kernelSize: 1, seed: 0 },
      data: { fromMs: 0, toMs: 1 },
      createdAtMs: options.createdAtMs ?? Date.now(),
    }),
    model,
    stats: {
      symbols,
      featureNames: [...FEATURE_NAMES],
      timeChannels: false,
      mean: new Array(width).fill(0),
      std: new Array(width).fill(1),
      countPerCoin: symbols.map(() => 1),
    },
    config: configSchema.parse({ symbols, windowMinutes }),
    epochs: [],
  });
  model.dispose();
  await putModelFile(store, id, THRESHOLDS_FILE, JSON.stringify(strategy));
  await setChampion(store, id);
  return id;
}

type UntrainedFields = Pick<
  ModelMeta,
  | 'id'
  | 'symbols'
  | 'windowMinutes'
  | 'horizonMinutes'
  | 'channels'
  | 'targetScale'
  | 'architecture'
  | 'data'
  | 'createdAtMs'
>;

/**
 * The meta of a model stored without training (the paper tests' hand-set model, the tick bench's random
 * one): no split, no validation (NaN metrics), no epochs. saveModel fills in the weights' byte length.
 */
export function untrainedMeta(
  fields: UntrainedFields,
): Omit<ModelMeta, 'formatVersion' | 'weightsByteLength'> {
  const nan = Number.NaN;
  return {
    ...fields,
    featureNames: [...FEATURE_NAMES],
    timeChannels: false,
    split: {
      embargoMinutes: 0,
      train: { fromMs: 0, toMs: 1 },
      validation: { fromMs: 0, toMs: 1 },
      test: null,
    },
    folds: [],
    validation: {
      loss: nan,
      ic: nan,
      rankIc: nan,
      hitRate: nan,
      perCoin: { ic: [], rankIc: [], hitRate: [], count: [] },
    },
    trainingSamples: 0,
    epochs: 0,
    samplesPerSecond: 0,
    backend: tf.getBackend(),
    gitRevision: null,
    parentModelId: null,
  };
}
