/**
 * Hand-crafted features for the ridge baseline: what a quant would try before any neural network.
 * Per coin and minute t, from candles up to and including t only (no look-ahead):
 * lagged log returns, realised volatility of 1-minute returns, a volume z-score against the past hour,
 * and the equal-weighted market's lagged returns. A value that needs a missing candle is NaN.
 */
import type { MarketFrame } from '../../lake/frame.js';

export const HAND_FEATURE_NAMES = [
  'return1m',
  'return5m',
  'return15m',
  'return60m',
  'volatility15m',
  'volatility60m',
  'volumeZ60m',
  'marketReturn5m',
  'marketReturn15m',
] as const;

const RETURN_LAGS = [1, 5, 15, 60] as const;
const VOLATILITY_WINDOWS = [15, 60] as const;
const VOLUME_WINDOW = 60;

export interface HandFeatures {
  symbols: string[];
  length: number;
  featureCount: number;
  /** [row][coin][feature]; single precision, which halves the memory of a year of 20 symbols. */
  values: Float32Array;
}

/**
 * Rolling mean and standard deviation of `series` over rows (t−window, t], ignoring NaN, with running
 * sums so a year of minutes costs one pass; NaN where fewer than half the window is real.
 */
function rollingMoments(series: Float64Array, window: number): { means: Float64Array; stds: Float64Array } {
  const means = new Float64Array(series.length).fill(Number.NaN);
  const stds = new Float64Array(series.length).fill(Number.NaN);
  let count = 0;
  let sum = 0;
  let squares = 0;
  for (let row = 0; row < series.length; row++) {
    const entering = series[row]!;
    if (!Number.isNaN(entering)) {
      count++;
      sum += entering;
      squares += entering * entering;
    }
    const leaving = row >= window ? series[row - window]! : Number.NaN;
    if (!Number.isNaN(leaving)) {
      count--;
      sum -= leaving;
      squares -= leaving * leaving;
    }
    if (count * 2 < window || count < 2) continue;
    const average = sum / count;
    means[row] = average;
    stds[row] = Math.sqrt(Math.max(0, (squares - count * average * average) / (count - 1)));
  }
  return { means, stds };
}

export function handCraftedFeatures(frame: MarketFrame): HandFeatures {
  const featureCount = HAND_FEATURE_NAMES.length;
  const coinCount = frame.symbols.length;
  const values = new Float32Array(frame.length * coinCount * featureCount).fill(Number.NaN);
  const at = (row: number, coin: number, feature: number): number =>
    (row * coinCount + coin) * featureCount + feature;

  frame.symbols.forEach((symbol, coin) => {
    const { close, volume, present } = frame.columns[symbol]!;
    const logClose = Float64Array.from(close, (price, row) =>
      present[row] === 1 ? Math.log(price) : Number.NaN,
    );
    const oneMinute = Float64Array.from(logClose, (value, row) =>
      row > 0 ? value - logClose[row - 1]! : Number.NaN,
    );
    const logVolume = Float64Array.from(volume, (amount, row) =>
      present[row] === 1 ? Math.log1p(amount) : Number.NaN,
    );
    const volatilities = VOLATILITY_WINDOWS.map((window) => rollingMoments(oneMinute, window).stds);
    const volumeMoments = rollingMoments(logVolume, VOLUME_WINDOW);
    for (let row = 0; row < frame.length; row++) {
      if (present[row] !== 1) continue;
      RETURN_LAGS.forEach((lag, k) => {
        if (row >= lag) values[at(row, coin, k)] = logClose[row]! - logClose[row - lag]!;
      });
      volatilities.forEach((stds, k) => (values[at(row, coin, RETURN_LAGS.length + k)] = stds[row]!));
      // The z-score compares this minute with the hour before it, so the minute does not dilute its own baseline.
      const std = row > 0 ? volumeMoments.stds[row - 1]! : Number.NaN;
      values[at(row, coin, 6)] =
        std > 0 ? (logVolume[row]! - volumeMoments.means[row - 1]!) / std : Number.NaN;
    }
  });

  // Market returns: the mean of the coins' own 5m and 15m returns that are defined at that minute.
  for (let row = 0; row < frame.length; row++) {
    for (const [source, target] of [
      [1, 7],
      [2, 8],
    ] as const) {
      let sum = 0;
      let count = 0;
      for (let coin = 0; coin < coinCount; coin++) {
        const value = values[at(row, coin, source)]!;
        if (Number.isNaN(value)) continue;
        sum += value;
        count++;
      }
      for (let coin = 0; coin < coinCount; coin++) {
        if (count > 0 && !Number.isNaN(values[at(row, coin, 0)]!))
          values[at(row, coin, target)] = sum / count;
      }
    }
  }
  return { symbols: [...frame.symbols], length: frame.length, featureCount, values };
}
