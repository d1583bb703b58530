import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MarketFrame } from '../../src/lake/frame.js';
import { replay, type ReplayResult } from '../../src/strategy/backtest.js';
import type { StrategyParams } from '../../src/strategy/params.js';
import type { ExecutionModel } from '../../src/strategy/execution.js';
import { summariseTrades } from '../../src/strategy/performance.js';
import { handFrame, type HandCandle } from '../support/hand-frame.js';
import { handExecution, handSetStrategy } from './params-fixture.js';

const T0 = Date.UTC(2026, 1, 2, 9, 0);
const MIN = 60_000;
const HORIZON = 3;
/** Fills at the decision candle's close without slippage: the arithmetic these cases check by hand. */
const CLOSE_FILLS: ExecutionModel = handExecution('close');

/** Closes 100, 101, …; row 6 of ETH is missing. */
function prices(): Record<string, Array<HandCandle | null>> {
  const btc = [100, 101, 102, 104, 103, 99, 98, 97, 97, 97, 97, 97].map((close) => ({ close }));
  const eth = [50, 50, 50, 51, 52, 53, null, 49, 48, 48, 48, 48].map((close) =>
    close === null ? null : { close },
  );
  return { BTCUSDT: btc, ETHUSDT: eth };
}

function replayFirstEightMinutes(
  frame: MarketFrame,
  predictions: Float64Array,
  strategy: StrategyParams,
): ReplayResult {
  return replay({
    frame,
    predictions,
    strategy,
    period: { fromMs: T0, toMs: T0 + 8 * MIN },
    execution: CLOSE_FILLS,
  });
}

/** predictions[row] = [btc, eth]. */
function predictionRows(rows: Array<[number, number]>, length: number): Float64Array {
  const values = new Float64Array(length * 2).fill(Number.NaN);
  rows.forEach(([btc, eth], row) => {
    values[row * 2] = btc;
    values[row * 2 + 1] = eth;
  });
  return values;
}

test('the replay enters at the signal candle close and exits exactly horizon minutes later with fees on both sides', () => {
  const frame = handFrame(T0, prices());
  const strategy = handSetStrategy(
    { BTCUSDT: { long: 0.01, short: -0.01 }, ETHUSDT: { long: 0.01, short: -0.01 } },
    { horizonMinutes: HORIZON },
  );
  // row 1: BTC long (101 → row 4: 103); row 4: BTC short (103 → row 7: 97)
  const predictions = predictionRows(
    [
      [0, 0],
      [0.02, 0],
      [0.02, 0],
      [0, 0],
      [-0.05, 0],
    ],
    frame.length,
  );
  const { trades } = replayFirstEightMinutes(frame, predictions, strategy);
  assert.equal(trades.length, 2, 'row 2 repeats the signal while the long is open and is skipped');
  const [long, short] = trades;
  assert.deepEqual(
    [long!.side, long!.entryPrice, long!.exitPrice, long!.entryTimeMs, long!.exitTimeMs],
    ['long', 101, 103, T0 + MIN, T0 + 4 * MIN],
  );
  // by hand: 103·0.999 / (101·1.001) − 1 = 102.897 / 101.101 − 1 = 0.017764413…
  assert.ok(Math.abs(long!.netReturn - 0.0177644138) < 1e-9);
  assert.deepEqual(
    [short!.side, short!.entryPrice, short!.exitPrice, short!.exitTimeMs],
    ['short', 103, 97, T0 + 7 * MIN],
  );
  // by hand: (103·0.999 − 97·1.001) / 103 = (102.897 − 97.097) / 103 = 0.056310679…
  assert.ok(Math.abs(short!.netReturn - 0.0563106796) < 1e-9);
  assert.ok(short!.netReturn > 0, 'the short profits from the fall');
});

test('a missing exit candle closes at the next real candle and the trade is flagged', () => {
  const frame = handFrame(T0, prices());
  const strategy = handSetStrategy({ ETHUSDT: { long: 0.01 } }, { horizonMinutes: HORIZON });
  // row 3: ETH long at 51, due at row 6 (missing) → closes at row 7 (49)
  const predictions = predictionRows(
    [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0.02],
    ],
    frame.length,
  );
  const { trades } = replayFirstEightMinutes(frame, predictions, strategy);
  assert.equal(trades.length, 1);
  assert.equal(trades[0]!.exitTimeMs, T0 + 6 * MIN);
  assert.equal(trades[0]!.exitFilledTimeMs, T0 + 7 * MIN);
  assert.equal(trades[0]!.lateExit, true);
  assert.equal(trades[0]!.exitPrice, 49);
});

test('no position opens within the horizon of the data end, so every trade closes inside the data', () => {
  const frame = handFrame(T0, prices());
  const strategy = handSetStrategy(
    { BTCUSDT: { long: 0.01 } },
    { horizonMinutes: HORIZON, overlap: 'stack' },
  );
  const predictions = new Float64Array(frame.length * 2).fill(0.5);
  const { trades, unclosed } = replay({
    frame,
    predictions,
    strategy,
    period: { fromMs: T0, toMs: T0 + 100 * MIN },
    execution: CLOSE_FILLS,
  });
  assert.equal(
    trades.length,
    frame.length - HORIZON,
    'stacking: one trade per minute that still has its exit on the frame',
  );
  assert.deepEqual(unclosed, []);
  assert.ok(trades.every((trade) => trade.exitTimeMs - trade.entryTimeMs === HORIZON * MIN));
});

test('metrics: hit rate, average, total, drawdown and exposure of hand-made trades', () => {
  const trade = (entryMinute: number, netReturn: number) => ({
    symbol: 'BTCUSDT',
    entryTimeMs: T0 + entryMinute * MIN,
    exitTimeMs: T0 + (entryMinute + 15) * MIN,
    netReturn,
  });
  const metrics = summariseTrades([trade(0, 0.01), trade(15, -0.02), trade(30, -0.01), trade(45, 0.005)], {
    fromMs: T0,
    toMs: T0 + 120 * MIN,
  });
  assert.equal(metrics.trades, 4);
  assert.equal(metrics.hitRate, 0.5);
  assert.ok(Math.abs(metrics.avgNetReturn! + 0.00375) < 1e-15);
  assert.ok(Math.abs(metrics.totalNetReturn + 0.015) < 1e-15);
  // equity 0.01, −0.01, −0.02, −0.015: peak 0.01, trough −0.02
  assert.ok(Math.abs(metrics.maxDrawdown - 0.03) < 1e-15);
  assert.equal(metrics.exposure, 0.5, '60 of 120 minutes hold a position');
});

test('a strategy change decides from its minute on, while a position opened before it exits on schedule', () => {
  const frame = handFrame(T0, prices());
  const first = handSetStrategy({ BTCUSDT: { long: 0.01 } }, { horizonMinutes: HORIZON });
  // the next champion trades only ETH, and shorts
  const second = handSetStrategy({ ETHUSDT: { short: -0.01 } }, { horizonMinutes: HORIZON });
  const predictions = predictionRows(
    [
      [0.02, -0.02], // row 0: the first strategy goes long BTC and ignores ETH
      [0, 0],
      [0.02, -0.02], // row 2: the second strategy decides: it ignores BTC, shorts ETH
    ],
    frame.length,
  );
  const { trades } = replay({
    frame,
    predictions,
    strategy: first,
    strategyChanges: [{ fromMs: T0 + 2 * MIN, strategy: second }],
    period: { fromMs: T0, toMs: T0 + 8 * MIN },
    execution: CLOSE_FILLS,
  });
  assert.deepEqual(
    trades.map((trade) => [trade.symbol, trade.side, trade.entryTimeMs, trade.exitTimeMs]),
    [
      ['BTCUSDT', 'long', T0, T0 + 3 * MIN],
      ['ETHUSDT', 'short', T0 + 2 * MIN, T0 + 5 * MIN],
    ],
  );
  assert.throws(
    () =>
      replay({
        frame,
        predictions,
        strategy: first,
        strategyChanges: [{ fromMs: T0, strategy: { ...second, horizonMinutes: HORIZON + 1 } }],
        period: { fromMs: T0, toMs: T0 + 8 * MIN },
        execution: CLOSE_FILLS,
      }),
    RangeError,
    'one replay keeps one horizon',
  );
});
