/**
 * The evidence promotion needs: the candidate and the current champion scored on the same samples, the
 * candidate's validation minutes, with the same realised returns and mask. The champion predicts from
 * the lake with its own normalisation stats; both scores come from one metric function.
 */
import { windowAt } from '../src/features/dataset.js';
import { readFrame } from '../src/lake/reader.js';
import { coinMetrics, summarise } from '../src/model/metrics.js';
import { loadPredictor } from '../src/model/predictor.js';
import type { Evaluation, ValidationScore } from '../src/app/evaluate-and-promote.js';
import { getChampion } from '../src/model/registry.js';
import type { TrainResult } from '../src/app/train.js';
import type { ObjectStore } from '../src/store/object-store.js';
import { MINUTE_MS } from '../src/time.js';

const PREDICT_BATCH = 256;

export async function evaluateOnSameWindow(
  store: ObjectStore,
  result: TrainResult,
  log: (line: string) => void,
): Promise<Evaluation> {
  const { timesMs, predictions, realised, mask } = result.validation;
  const coinCount = result.meta.symbols.length;
  const evaluation: Evaluation = {
    candidateId: result.modelId,
    window: result.meta.split.validation,
    samples: timesMs.length,
    candidate: score(predictions, realised, mask, coinCount),
    champion: null,
  };
  const champion = await getChampion(store);
  if (champion === undefined || champion.modelId === result.modelId || timesMs.length === 0)
    return evaluation;

  const predictor = await loadPredictor(store, champion.modelId);
  try {
    if (predictor.meta.symbols.join(',') !== result.meta.symbols.join(',')) {
      log(`champion ${champion.modelId} trades other symbols; no like-for-like comparison`);
      return evaluation;
    }
    const { windowMinutes, channels } = predictor.meta;
    const firstMs = timesMs[0]!;
    const lastMs = timesMs[timesMs.length - 1]!;
    // one minute before the window supplies the first minute's previous close
    const frame = await readFrame(
      store,
      predictor.meta.symbols,
      firstMs - windowMinutes * MINUTE_MS,
      lastMs + MINUTE_MS,
    );
    const features = predictor.featuresOf(frame);
    const championPredictions = new Float32Array(predictions.length);
    const batch = new Float32Array(PREDICT_BATCH * windowMinutes * channels);
    for (let start = 0; start < timesMs.length; start += PREDICT_BATCH) {
      const size = Math.min(PREDICT_BATCH, timesMs.length - start);
      for (let i = 0; i < size; i++) {
        const row = (timesMs[start + i]! - frame.startTimeMs) / MINUTE_MS;
        windowAt(
          features,
          row,
          windowMinutes,
          batch.subarray(i * windowMinutes * channels, (i + 1) * windowMinutes * channels),
        );
      }
      championPredictions.set(
        predictor.predictBatch(batch.subarray(0, size * windowMinutes * channels), size),
        start * coinCount,
      );
    }
    evaluation.champion = {
      modelId: champion.modelId,
      score: score(championPredictions, realised, mask, coinCount),
    };
    return evaluation;
  } finally {
    predictor.dispose();
  }
}

function score(
  predictions: Float32Array,
  realised: Float32Array,
  mask: Float32Array,
  coinCount: number,
): ValidationScore {
  return summarise(coinMetrics(predictions, realised, mask, coinCount));
}
