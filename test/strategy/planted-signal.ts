/**
 * A synthetic market with a planted lead-lag, and the generator's own known signal as "model"
 * predictions: k × the leader's return over the last L minutes for every laggard. Lets the strategy core
 * be tested against a known answer without training a network.
 */
import { alignToGrid } from '../../src/lake/grid.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { mulberry32, shuffleInPlace } from '../../src/random.js';
import type { Splits } from '../../src/strategy/evaluate.js';
import { MINUTE_MS } from '../../src/time.js';

export const PLANTED: SyntheticMarketOptions = {
  symbols: ['LEADUSDT', 'LAGAUSDT', 'LAGBUSDT', 'LAGCUSDT'],
  startTimeMs: Date.UTC(2026, 0, 5),
  minutes: 8 * 1440,
  seed: 2026,
  plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 10, strength: 0.9 },
};

export function plantedFrame(options: SyntheticMarketOptions = PLANTED): MarketFrame {
  const columns = generateSyntheticMarket(options);
  return alignToGrid(columns, options.startTimeMs, options.startTimeMs + options.minutes * MINUTE_MS);
}

/** The known signal per laggard [row][coin]; the leader has none (NaN). */
export function knownSignal(frame: MarketFrame, options: SyntheticMarketOptions = PLANTED): Float64Array {
  const alpha = options.plantedAlpha!;
  const coinCount = frame.symbols.length;
  const leader = frame.columns[alpha.leader]!.close;
  const predictions = new Float64Array(frame.length * coinCount).fill(Number.NaN);
  frame.symbols.forEach((symbol, coin) => {
    if (symbol === alpha.leader) return;
    for (let row = alpha.lagMinutes; row < frame.length; row++) {
      predictions[row * coinCount + coin] = alpha.strength * Math.log(leader[row]! / leader[row - alpha.lagMinutes]!);
    }
  });
  return predictions;
}

/** The same predictions with whole rows shuffled in time: every value kept, any link to the future cut. */
export function shuffledInTime(predictions: Float64Array, coinCount: number, seed: number): Float64Array {
  const rows = predictions.length / coinCount;
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  shuffleInPlace(order, mulberry32(seed));
  const shuffled = new Float64Array(predictions.length);
  order.forEach((from, to) => shuffled.set(predictions.subarray(from * coinCount, (from + 1) * coinCount), to * coinCount));
  return shuffled;
}

/** Half training, a quarter validation, a quarter test, with a one-hour embargo between. */
export function plantedSplits(frame: MarketFrame): Splits {
  const at = (row: number) => frame.startTimeMs + row * MINUTE_MS;
  const quarter = Math.floor(frame.length / 4);
  return {
    train: { fromMs: at(0), toMs: at(2 * quarter) },
    validation: { fromMs: at(2 * quarter + 60), toMs: at(3 * quarter) },
    test: { fromMs: at(3 * quarter + 60), toMs: at(frame.length - 15) },
  };
}
