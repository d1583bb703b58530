/**
 * The scenario behind the close-fill regression fixture: the planted market with some candles knocked
 * out (so late exits are exercised), the generator's known signal as predictions, and a config that fills
 * at the decision candle's close with no slippage: the fill model every backtest used before
 * `execution.entry` existed. `test/fixtures/close-fill-backtest.generate.ts` wrote the fixture from this
 * scenario with the code of that time; the regression test replays it with today's code.
 */
import { configSchema } from '../../src/config/schema.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import type { BacktestResult } from '../../src/strategy/evaluate.js';
import { backtestPredictions, knownSignal, plantedFrame, plantedSplits } from './planted-signal.js';

// shorts were free before venues existed: spot-margin without borrow interest is that account
export const CLOSE_FILL_CONFIG = configSchema.parse({
  execution: {
    entry: 'close',
    slippageBpsPerSide: { major: 0, other: 0 },
    venue: 'spot-margin',
    spotMargin: { borrowRatePerHour: { default: 0 } },
  },
});

export function closeFillFrame(): MarketFrame {
  const frame = plantedFrame();
  const testStartRow = Math.ceil((plantedSplits(frame).test.fromMs - frame.startTimeMs) / 60_000);
  // every 53rd test minute of two laggards is missing: exits due then fill at the next real candle
  for (const symbol of ['LAGAUSDT', 'LAGBUSDT']) {
    const columns = frame.columns[symbol]!;
    for (let row = testStartRow + 7; row < frame.length; row += 53) {
      columns.present[row] = 0;
      for (const field of ['open', 'high', 'low', 'close'] as const) columns[field][row] = Number.NaN;
    }
  }
  return frame;
}

export function closeFillBacktest(): BacktestResult {
  const frame = closeFillFrame();
  return backtestPredictions(frame, knownSignal(frame), { randomSimulations: 40, config: CLOSE_FILL_CONFIG });
}

/** The part of a backtest the fixture pins: every trade of the strategy and the ridge, and the random baseline. */
export function closeFillSnapshot(result: BacktestResult) {
  const trades = (list: BacktestResult['strategy']['trades']) =>
    list.map((trade) => ({
      symbol: trade.symbol,
      side: trade.side,
      entryTimeMs: trade.entryTimeMs,
      exitTimeMs: trade.exitTimeMs,
      exitFilledTimeMs: trade.exitFilledTimeMs,
      lateExit: trade.lateExit,
      entryPrice: trade.entryPrice,
      exitPrice: trade.exitPrice,
      netReturn: trade.netReturn,
    }));
  return {
    strategy: trades(result.strategy.trades),
    ridge: trades(result.baselines.ridge.trades),
    random: { pValue: result.baselines.random.pValue, avgNetReturns: result.baselines.random.avgNetReturns },
  };
}
