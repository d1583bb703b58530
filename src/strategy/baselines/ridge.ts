/**
 * The ridge baseline: per pair, a ridge regression of the forward return on the hand-crafted features,
 * fitted on the training rows only. If the neural network cannot beat this, its complexity buys nothing.
 */
import type { MarketFrame } from '../../lake/frame.js';
import type { TargetMatrix } from '../../features/targets.js';
import type { HandFeatures } from './hand-features.js';

/** Penalty per sample on standardised coefficients: enough to tame collinear lags, too little to matter otherwise. */
export const DEFAULT_RIDGE_PENALTY = 0.01;

export interface RidgeModel {
  /** Feature means and standard deviations of the training rows, then coefficients on standardised features. */
  means: Float64Array;
  stds: Float64Array;
  coefficients: Float64Array;
  intercept: number;
  samples: number;
}

/** Solves A x = b for a small symmetric positive definite A (row-major n×n) by Gaussian elimination with pivoting. */
export function solveLinear(matrix: Float64Array, rhs: Float64Array): Float64Array {
  const n = rhs.length;
  const a = Float64Array.from(matrix);
  const b = Float64Array.from(rhs);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++)
      if (Math.abs(a[row * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = row;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k]!, a[col * n + k]!];
      [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    }
    const diagonal = a[col * n + col]!;
    for (let row = col + 1; row < n; row++) {
      const factor = a[row * n + col]! / diagonal;
      for (let k = col; k < n; k++) a[row * n + k]! -= factor * a[col * n + k]!;
      b[row]! -= factor * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let sum = b[row]!;
    for (let k = row + 1; k < n; k++) sum -= a[row * n + k]! * x[k]!;
    x[row] = sum / a[row * n + row]!;
  }
  return x;
}

/** Rows usable for coin `coin`: every feature defined and the target real. */
function usable(features: HandFeatures, targets: TargetMatrix, row: number, coin: number): boolean {
  if (targets.mask[row * features.symbols.length + coin] !== 1) return false;
  const base = (row * features.symbols.length + coin) * features.featureCount;
  for (let k = 0; k < features.featureCount; k++) if (Number.isNaN(features.values[base + k]!)) return false;
  return true;
}

export function fitRidge(
  features: HandFeatures,
  targets: TargetMatrix,
  coin: number,
  rows: { from: number; to: number },
  penalty = DEFAULT_RIDGE_PENALTY,
): RidgeModel | null {
  const p = features.featureCount;
  const coinCount = features.symbols.length;
  const selected: number[] = [];
  for (let row = rows.from; row < rows.to; row++)
    if (usable(features, targets, row, coin)) selected.push(row);
  if (selected.length <= p * 10) return null;
  const means = new Float64Array(p);
  const stds = new Float64Array(p);
  let targetMean = 0;
  for (const row of selected) {
    const base = (row * coinCount + coin) * p;
    for (let k = 0; k < p; k++) means[k]! += features.values[base + k]!;
    targetMean += targets.values[row * coinCount + coin]!;
  }
  means.forEach((sum, k) => (means[k] = sum / selected.length));
  targetMean /= selected.length;
  for (const row of selected) {
    const base = (row * coinCount + coin) * p;
    for (let k = 0; k < p; k++) stds[k]! += (features.values[base + k]! - means[k]!) ** 2;
  }
  stds.forEach((sum, k) => (stds[k] = Math.sqrt(sum / selected.length) || 1));

  const gram = new Float64Array(p * p);
  const moment = new Float64Array(p);
  const x = new Float64Array(p);
  for (const row of selected) {
    const base = (row * coinCount + coin) * p;
    for (let k = 0; k < p; k++) x[k] = (features.values[base + k]! - means[k]!) / stds[k]!;
    const y = targets.values[row * coinCount + coin]! - targetMean;
    for (let i = 0; i < p; i++) {
      moment[i]! += x[i]! * y;
      for (let j = 0; j < p; j++) gram[i * p + j]! += x[i]! * x[j]!;
    }
  }
  for (let i = 0; i < p; i++) gram[i * p + i]! += penalty * selected.length;
  return {
    means,
    stds,
    coefficients: solveLinear(gram, moment),
    intercept: targetMean,
    samples: selected.length,
  };
}

export function predictRidge(model: RidgeModel, features: HandFeatures, row: number, coin: number): number {
  const base = (row * features.symbols.length + coin) * features.featureCount;
  let prediction = model.intercept;
  for (let k = 0; k < features.featureCount; k++) {
    prediction += (model.coefficients[k]! * (features.values[base + k]! - model.means[k]!)) / model.stds[k]!;
  }
  return prediction;
}

/**
 * Fits one ridge per pair on the training rows (those whose target ends before `trainEndRow`, so no
 * target peeks into validation) and predicts every row of the frame: [row][coin], NaN where a feature is
 * missing or the pair had too little training data.
 */
export function ridgePredictions(
  frame: MarketFrame,
  features: HandFeatures,
  targets: TargetMatrix,
  trainRows: { from: number; to: number },
): Float64Array {
  const coinCount = frame.symbols.length;
  const predictions = new Float64Array(frame.length * coinCount).fill(Number.NaN);
  const lastTrainRow = Math.max(trainRows.from, trainRows.to - targets.horizonMinutes);
  for (let coin = 0; coin < coinCount; coin++) {
    const model = fitRidge(features, targets, coin, { from: trainRows.from, to: lastTrainRow });
    if (model === null) continue;
    for (let row = 0; row < frame.length; row++)
      predictions[row * coinCount + coin] = predictRidge(model, features, row, coin);
  }
  return predictions;
}
