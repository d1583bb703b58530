/**
 * Predictions for many decision minutes of one frame: the one batching loop of the backtest, the
 * evaluation on the champion's window and the paper tick. Windows are copied into one reused batch
 * buffer, so memory stays one batch whatever the number of minutes.
 */
import { Alpha15Error } from '../errors.js';
import { windowAt } from '../features/dataset.js';
import type { MarketFrame } from '../lake/frame.js';
import { MINUTE_MS } from '../time.js';
import type { Predictor } from './predictor.js';
import { firstPredictableRow } from './warm-up.js';

/** Samples per forward pass. */
export const PREDICT_BATCH_SIZE = 256;

/** A decision minute the frame cannot predict: outside it, or too close to its start for a full window. */
export class PredictionOutOfFrameError extends Alpha15Error {
  readonly code = 'PREDICTION_OUT_OF_FRAME';
}

export interface PredictRangeOptions {
  /** Predicted minutes so far, after every batch. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Raw predicted returns `[minute][coin]` for each decision minute in `timesMs` (open times on the
 * frame's grid), in the given order. Every minute needs its warm-up inside the frame.
 */
export async function predictRange(
  predictor: Predictor,
  frame: MarketFrame,
  timesMs: ArrayLike<number>,
  options: PredictRangeOptions = {},
): Promise<Float32Array> {
  const { windowMinutes, channels } = predictor.meta;
  const coinCount = predictor.meta.symbols.length;
  const total = timesMs.length;
  const rows = Int32Array.from({ length: total }, (_, at) => rowOf(frame, timesMs[at]!, windowMinutes));
  const features = predictor.featuresOf(frame);
  const windowValues = windowMinutes * channels;
  const batch = new Float32Array(Math.min(PREDICT_BATCH_SIZE, total) * windowValues);
  const predictions = new Float32Array(total * coinCount);
  for (let first = 0; first < total; first += PREDICT_BATCH_SIZE) {
    const size = Math.min(PREDICT_BATCH_SIZE, total - first);
    for (let sample = 0; sample < size; sample++) {
      const out = batch.subarray(sample * windowValues, (sample + 1) * windowValues);
      windowAt(features, rows[first + sample]!, windowMinutes, out);
    }
    predictions.set(
      await predictor.predictBatch(batch.subarray(0, size * windowValues), size),
      first * coinCount,
    );
    options.onProgress?.(first + size, total);
  }
  return predictions;
}

function rowOf(frame: MarketFrame, timeMs: number, windowMinutes: number): number {
  const row = (timeMs - frame.startTimeMs) / MINUTE_MS;
  if (!Number.isInteger(row) || row < firstPredictableRow(windowMinutes) || row >= frame.length) {
    throw new PredictionOutOfFrameError(
      `cannot predict ${new Date(timeMs).toISOString()}: the frame's ${frame.length} minutes from ${new Date(frame.startTimeMs).toISOString()} hold no full ${windowMinutes}-minute window ending there`,
      'read the frame from firstInputMinuteMs(first decision minute, window) (src/model/warm-up.ts)',
    );
  }
  return row;
}
