/**
 * The model's inputs: 8 stationary features per coin and minute. Price levels drift without bound, so
 * prices enter only as log ratios to the previous close, and volumes through log1p, which tames their
 * heavy right tail. Everything else about a minute (is it real? what time is it?) travels beside.
 */
import type { MarketFrame } from '../lake/frame.js';
import { DAY_MS, MINUTE_MS } from '../time.js';

export const FEATURE_NAMES = [
  'logOpenToPrevClose',
  'logHighToPrevClose',
  'logLowToPrevClose',
  'logCloseToPrevClose',
  'log1pVolume',
  'log1pQuoteVolume',
  'log1pTrades',
  'takerBuyShare',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export const FEATURES_PER_COIN = FEATURE_NAMES.length;

/** Calendar channels appended after all coin channels of a minute when `timeChannels` is on. */
export const TIME_CHANNEL_NAMES = ['timeOfDaySin', 'timeOfDayCos', 'dayOfWeekSin', 'dayOfWeekCos'] as const;

/**
 * Features on the frame's grid. `values` is row-major `[minute][channel]` where a minute's channels are
 * `[coin][feature]` followed by the time channels, so the window ending at row t is the single contiguous
 * slice `values.subarray((t - window + 1) * channels, (t + 1) * channels)`.
 *
 * Before normalisation an invalid (minute, coin) holds NaN in its 8 features, so forgetting `applyStats`
 * fails loudly; after it, exactly 0 (the training mean: no signal).
 */
export interface FeatureMatrix {
  symbols: string[];
  startTimeMs: number;
  /** Number of minutes (rows). */
  length: number;
  /** Features per coin (8). */
  featureCount: number;
  /** Values per minute: symbols.length * featureCount, plus 4 with time channels. */
  channels: number;
  timeChannels: boolean;
  values: Float32Array;
  /** [minute][coin]: 1 when the candle and the one before it are real, so all 8 features are defined. */
  valid: Uint8Array;
  /** [minute][coin]: 1 when the minute's candle is real (the frame's `present`). */
  present: Uint8Array;
  /** Set by applyStats, so statistics are never applied twice. */
  normalised: boolean;
}

export interface BuildFeaturesOptions {
  /** Append sin/cos of time of day and day of week (config `model.timeChannels`). */
  timeChannels?: boolean;
}

export function channelCount(symbolCount: number, timeChannels: boolean): number {
  return symbolCount * FEATURES_PER_COIN + (timeChannels ? TIME_CHANNEL_NAMES.length : 0);
}

export function buildFeatures(frame: MarketFrame, options: BuildFeaturesOptions = {}): FeatureMatrix {
  const timeChannels = options.timeChannels ?? false;
  const coinCount = frame.symbols.length;
  const channels = channelCount(coinCount, timeChannels);
  const values = new Float32Array(frame.length * channels);
  const valid = new Uint8Array(frame.length * coinCount);
  const present = new Uint8Array(frame.length * coinCount);

  frame.symbols.forEach((symbol, coin) => {
    const columns = frame.columns[symbol];
    if (!columns) throw new RangeError(`frame has no columns for ${symbol}`);
    const { open, high, low, close, volume, quoteVolume, trades, takerBuyBaseVolume } = columns;
    for (let row = 0; row < frame.length; row++) {
      const base = row * channels + coin * FEATURES_PER_COIN;
      present[row * coinCount + coin] = columns.present[row]!;
      const isValid = row > 0 && columns.present[row] === 1 && columns.present[row - 1] === 1;
      if (!isValid) {
        values.fill(Number.NaN, base, base + FEATURES_PER_COIN);
        continue;
      }
      valid[row * coinCount + coin] = 1;
      const prevClose = close[row - 1]!;
      const baseVolume = volume[row]!;
      values[base] = Math.log(open[row]! / prevClose);
      values[base + 1] = Math.log(high[row]! / prevClose);
      values[base + 2] = Math.log(low[row]! / prevClose);
      values[base + 3] = Math.log(close[row]! / prevClose);
      values[base + 4] = Math.log1p(baseVolume);
      values[base + 5] = Math.log1p(quoteVolume[row]!);
      values[base + 6] = Math.log1p(trades[row]!);
      // A minute without trades has no buyer/seller split: 0.5 says "balanced", the uninformative value.
      values[base + 7] = baseVolume > 0 ? takerBuyBaseVolume[row]! / baseVolume : 0.5;
    }
  });

  if (timeChannels) writeTimeChannels(values, frame.startTimeMs, frame.length, channels);

  return {
    symbols: [...frame.symbols],
    startTimeMs: frame.startTimeMs,
    length: frame.length,
    featureCount: FEATURES_PER_COIN,
    channels,
    timeChannels,
    values,
    valid,
    present,
    normalised: false,
  };
}

/** Epoch day 0 (1970-01-01) was a Thursday; shifting by 4 makes Sunday 0, as Date.getUTCDay does. */
const EPOCH_WEEKDAY = 4;

function writeTimeChannels(
  values: Float32Array,
  startTimeMs: number,
  length: number,
  channels: number,
): void {
  const first = channels - TIME_CHANNEL_NAMES.length;
  for (let row = 0; row < length; row++) {
    const openTimeMs = startTimeMs + row * MINUTE_MS;
    const dayPhase = (2 * Math.PI * (((openTimeMs % DAY_MS) + DAY_MS) % DAY_MS)) / DAY_MS;
    const weekday = (((Math.floor(openTimeMs / DAY_MS) + EPOCH_WEEKDAY) % 7) + 7) % 7;
    const weekPhase = (2 * Math.PI * weekday) / 7;
    const base = row * channels + first;
    values[base] = Math.sin(dayPhase);
    values[base + 1] = Math.cos(dayPhase);
    values[base + 2] = Math.sin(weekPhase);
    values[base + 3] = Math.cos(weekPhase);
  }
}
