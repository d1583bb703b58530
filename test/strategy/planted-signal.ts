/**
 * A synthetic market with a planted lead-lag, and the generator's own known signal as "model"
 * predictions: k × the leader's return over the last L minutes for every laggard. Lets the strategy core
 * be tested against a known answer without training a network.
 */
import { alignToGrid } from '../../src/lake/grid.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { TargetMatrix } from '../../src/features/targets.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import { allocateColumns } from '../../src/market/kline-columns.js';
import type { KlineColumns } from '../../src/market/kline.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { mulberry32, shuffleInPlace } from '../../src/random.js';
import { evaluateBacktest, type BacktestResult, type Splits } from '../../src/strategy/evaluate.js';
import { fitStrategyOnFrame } from '../../src/strategy/fit.js';
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
      predictions[row * coinCount + coin] =
        alpha.strength * Math.log(leader[row]! / leader[row - alpha.lagMinutes]!);
    }
  });
  return predictions;
}

/** A random order of `rows` rows, reproducible from the seed. */
function shuffledOrder(rows: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  shuffleInPlace(order, mulberry32(seed));
  return order;
}

/** Row `order[r]` of a [row][coin] array moved to row r. */
function permuteRows<T extends Float64Array | Float32Array | Uint8Array>(
  values: T,
  coinCount: number,
  order: Int32Array,
): T {
  const permuted = values.slice() as T;
  order.forEach((from, to) =>
    permuted.set(values.subarray(from * coinCount, (from + 1) * coinCount), to * coinCount),
  );
  return permuted;
}

/** The same predictions with whole rows shuffled in time: every value kept, any link to the future cut. */
export function shuffledInTime(predictions: Float64Array, coinCount: number, seed: number): Float64Array {
  return permuteRows(predictions, coinCount, shuffledOrder(predictions.length / coinCount, seed));
}

/** The same targets with whole minutes permuted: each label keeps its coins but lands at a random time. */
export function shuffledTargets(targets: TargetMatrix, seed: number): TargetMatrix {
  const coinCount = targets.symbols.length;
  const order = shuffledOrder(targets.length, seed);
  return {
    ...targets,
    values: permuteRows(targets.values, coinCount, order),
    mask: permuteRows(targets.mask, coinCount, order),
  };
}

/**
 * The same market with its minutes shuffled in time, jointly for all coins: each minute keeps its candle
 * shape relative to the previous close, its volumes and its cross-coin moves, but lands at a random time,
 * so no past minute tells anything about a later one. Labels and features are shuffled together: a
 * pipeline that finds an edge here found it through leakage.
 */
export function shuffledMarket(columns: readonly KlineColumns[], seed: number): KlineColumns[] {
  const rows = columns[0]!.openTimeMs.length;
  if (columns.some((symbol) => symbol.openTimeMs.length !== rows))
    throw new RangeError('shuffledMarket needs a market without gaps');
  // row 0 has no previous close, so it stays first and anchors the price level
  const order = Int32Array.from([0, ...Array.from(shuffledOrder(rows - 1, seed), (row) => row + 1)]);
  return columns.map((source) => {
    const target = allocateColumns(source.symbol, rows);
    target.openTimeMs.set(source.openTimeMs);
    let previousClose = source.close[0]!;
    order.forEach((from, to) => {
      const scale = to === 0 ? 1 : previousClose / source.close[from - 1]!;
      for (const field of ['open', 'high', 'low', 'close'] as const)
        target[field][to] = source[field][from]! * scale;
      for (const field of ['volume', 'trades', 'takerBuyBaseVolume'] as const)
        target[field][to] = source[field][from]!;
      target.quoteVolume[to] = source.quoteVolume[from]! * scale;
      target.takerBuyQuoteVolume[to] = source.takerBuyQuoteVolume[from]! * scale;
      previousClose = target.close[to]!;
    });
    return target;
  });
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

/**
 * The backtest of `predictions` on a planted frame, thresholds fitted on its validation quarter the way
 * training does: the strategy core end to end without a network.
 */
export function backtestPredictions(
  frame: MarketFrame,
  predictions: Float64Array,
  options: { randomSimulations: number; compareCalibration?: boolean; config?: Config },
): BacktestResult {
  const { config = configSchema.parse({}), ...evaluateOptions } = options;
  const splits = plantedSplits(frame);
  const modelStrategy = fitStrategyOnFrame({
    frame,
    predictions,
    period: splits.validation,
    config,
  });
  return evaluateBacktest({
    frame,
    modelPredictions: predictions,
    modelStrategy,
    splits,
    config,
    ...evaluateOptions,
  });
}
