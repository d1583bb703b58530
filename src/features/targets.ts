/**
 * What the model predicts: each coin's return over the next `horizonMinutes`, close[t+h] / close[t] - 1,
 * where t is the last minute of the input window (its close is the last price the model has seen), or
 * with `target: 'residual'` that return minus the weighted universe average of the same minutes.
 */
import type { MarketFrame } from '../lake/frame.js';

/** [minute][coin] targets; a masked entry holds 0, so value * mask is always a finite number. */
export interface TargetMatrix {
  symbols: string[];
  horizonMinutes: number;
  length: number;
  values: Float32Array;
  /** 1 where both candles are real and t + h lies on the frame. */
  mask: Uint8Array;
}

export function forwardReturns(frame: MarketFrame, horizonMinutes: number): TargetMatrix {
  if (!Number.isInteger(horizonMinutes) || horizonMinutes <= 0) {
    throw new RangeError(`horizonMinutes must be a positive whole number, got ${horizonMinutes}`);
  }
  const coinCount = frame.symbols.length;
  const values = new Float32Array(frame.length * coinCount);
  const mask = new Uint8Array(frame.length * coinCount);
  frame.symbols.forEach((symbol, coin) => {
    const columns = frame.columns[symbol];
    if (!columns) throw new RangeError(`frame has no columns for ${symbol}`);
    const { close, present } = columns;
    for (let row = 0; row + horizonMinutes < frame.length; row++) {
      // A filled grid point has no price: a return to or from it would be invented, so it is masked.
      if (present[row] !== 1 || present[row + horizonMinutes] !== 1) continue;
      values[row * coinCount + coin] = close[row + horizonMinutes]! / close[row]! - 1;
      mask[row * coinCount + coin] = 1;
    }
  });
  return { symbols: [...frame.symbols], horizonMinutes, length: frame.length, values, mask };
}

/** Each coin's weight in the universe average, in `symbols` order: its `coinWeights` entry, else `other`. */
export function coinWeights(
  weights: { bySymbol: Readonly<Record<string, number>>; other: number },
  symbols: readonly string[],
): number[] {
  return symbols.map((symbol) => weights.bySymbol[symbol] ?? weights.other);
}

/**
 * Residual returns: at every minute, each coin's return minus the weighted average return of the coins
 * that have one at that minute, Σ w_c r_c / Σ w_c over the masked-in coins. The mask is unchanged: a coin
 * without a return has no residual, and a minute with one coin leaves it a residual of 0.
 */
export function residualReturns(raw: TargetMatrix, weights: readonly number[]): TargetMatrix {
  const coinCount = raw.symbols.length;
  if (weights.length !== coinCount)
    throw new RangeError(`residualReturns needs ${coinCount} weights, got ${weights.length}`);
  const values = new Float32Array(raw.values.length);
  for (let row = 0; row < raw.length; row++) {
    let weighted = 0;
    let weightSum = 0;
    for (let coin = 0; coin < coinCount; coin++) {
      const at = row * coinCount + coin;
      if (raw.mask[at] !== 1) continue;
      weighted += weights[coin]! * raw.values[at]!;
      weightSum += weights[coin]!;
    }
    if (weightSum === 0) continue;
    const market = weighted / weightSum;
    for (let coin = 0; coin < coinCount; coin++) {
      const at = row * coinCount + coin;
      if (raw.mask[at] === 1) values[at] = raw.values[at]! - market;
    }
  }
  return { ...raw, values, mask: raw.mask.slice() };
}

/** The model's target on a frame: raw forward returns, or their residuals against the weighted universe. */
export function modelTargets(
  frame: MarketFrame,
  horizonMinutes: number,
  target: 'raw' | 'residual',
  weights: readonly number[],
): TargetMatrix {
  const raw = forwardReturns(frame, horizonMinutes);
  return target === 'raw' ? raw : residualReturns(raw, weights);
}
