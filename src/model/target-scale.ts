/**
 * Per-coin target scaling. Raw 15-minute returns are ~1e-3: a freshly initialised network outputs ~1,
 * Adam's first steps are sized for unit-scale outputs, and under an L1 loss the most volatile coin
 * would dominate. Dividing each coin's targets by its training-split standard deviation fixes all three;
 * the scale is saved in meta.json and the predictor multiplies it back.
 */
import type { TargetMatrix } from '../features/targets.js';

/** Each coin's target standard deviation over the given sample rows (1 when it never varies). */
export function fitTargetScale(targets: TargetMatrix, endRows: Int32Array): number[] {
  const coinCount = targets.symbols.length;
  const sum = new Float64Array(coinCount);
  const sumOfSquares = new Float64Array(coinCount);
  const count = new Float64Array(coinCount);
  for (const row of endRows) {
    for (let coin = 0; coin < coinCount; coin++) {
      const at = row * coinCount + coin;
      if (targets.mask[at] !== 1) continue;
      const value = targets.values[at]!;
      sum[coin]! += value;
      sumOfSquares[coin]! += value * value;
      count[coin]! += 1;
    }
  }
  return Array.from(count, (n, coin) => {
    if (n < 2) return 1;
    const mean = sum[coin]! / n;
    const std = Math.sqrt(Math.max(sumOfSquares[coin]! / n - mean * mean, 0));
    return std > 1e-12 ? std : 1;
  });
}

/** The targets divided by each coin's scale, as the network is trained on them. */
export function scaleTargets(targets: TargetMatrix, targetScale: readonly number[]): TargetMatrix {
  const coinCount = targets.symbols.length;
  const values = targets.values.map((value, at) => value / targetScale[at % coinCount]!);
  return { ...targets, values };
}
