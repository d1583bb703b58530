/**
 * Linear calibration per pair: realised ≈ intercept + slope · prediction, fitted by least squares on
 * validation data. A model trained with L1 loss on noisy returns predicts values shrunk towards the
 * median and sometimes biased; calibration maps them back to the scale of realised returns so a
 * threshold reads as an expected return (comparable to the fee) and a negative slope flips a model
 * that is reliably wrong into one that is right.
 */
import { linearFit } from '../statistics.js';
import type { Calibration } from './params.js';

/** Fewer validation samples than this leave the pair uncalibrated: a fit on a handful of points is noise. */
export const MIN_CALIBRATION_SAMPLES = 30;

/** Ordinary least squares of `realised` on `predictions` (same length, all finite). */
export function fitCalibration(
  predictions: ArrayLike<number>,
  realised: ArrayLike<number>,
): Calibration | null {
  const count = predictions.length;
  if (count < MIN_CALIBRATION_SAMPLES) return null;
  // A constant prediction carries no information: linearFit calibrates it to the mean realised return.
  const { intercept, slope, r2 } = linearFit(predictions, realised);
  return { intercept, slope, samples: count, r2 };
}

export function applyCalibration(calibration: Calibration | null, prediction: number): number {
  return calibration === null ? prediction : calibration.intercept + calibration.slope * prediction;
}
