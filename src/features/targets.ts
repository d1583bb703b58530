/**
 * What the model predicts: each coin's return over the next `horizonMinutes`, close[t+h] / close[t] - 1,
 * where t is the last minute of the input window (its close is the last price the model has seen).
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
