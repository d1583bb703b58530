import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { replay } from '../../src/strategy/backtest.js';
import {
  executionModel,
  slippageBpsPerSide,
  slippedPrice,
  tradeMoves,
  type ExecutionModel,
} from '../../src/strategy/execution.js';
import { netReturn, netReturnFromMove } from '../../src/strategy/pnl.js';
import { handFrame } from '../support/hand-frame.js';
import { handExecution, handSetStrategy } from './params-fixture.js';

const T0 = Date.UTC(2026, 1, 2, 9, 0);
const MIN = 60_000;
const HORIZON = 3;

/** Opens differ from the previous close, so a close fill and a next-open fill give different prices. */
function market() {
  const btc = [
    [100, 100],
    [100, 101],
    [102, 103],
    [103, 104],
    [104, 105],
    [106, 107],
    [107, 108],
    [108, 109],
    [109, 110],
  ].map(([open, close]) => ({ open: open!, close: close! }));
  // ETH: row 2 missing, so a next-open entry decided at row 1 has no price
  const eth = [50, 50, null, 51, 52, 53, 54, 55, 56].map((close) =>
    close === null ? null : { open: close - 0.5, close },
  );
  return handFrame(T0, { BTCUSDT: btc, ETHUSDT: eth });
}

function signalAtRow1(length: number): Float64Array {
  const predictions = new Float64Array(length * 2).fill(0);
  predictions[2] = 0.05;
  predictions[3] = 0.05;
  return predictions;
}

const strategy = handSetStrategy(
  { BTCUSDT: { long: 0.01 }, ETHUSDT: { long: 0.01 } },
  { horizonMinutes: HORIZON },
);

test('nextOpen fills the entry at the open of the minute after the decision and the exit at the open after the exit minute', () => {
  const frame = market();
  const execution: ExecutionModel = handExecution('nextOpen', { BTCUSDT: 0.0001 });
  const { trades } = replay({
    frame,
    predictions: signalAtRow1(frame.length),
    strategy,
    period: { fromMs: T0, toMs: T0 + 3 * MIN },
    execution,
  });
  assert.deepEqual(
    trades.map((trade) => trade.symbol),
    ['BTCUSDT'],
    'ETH has no candle in the minute after its signal, so it cannot fill and does not enter',
  );
  const [btc] = trades;
  assert.equal(btc!.entryTimeMs, T0 + MIN, 'the decision minute stays the entry time');
  assert.equal(btc!.exitTimeMs, T0 + 4 * MIN);
  assert.equal(btc!.entryFilledTimeMs, T0 + 2 * MIN);
  assert.equal(btc!.exitFilledTimeMs, T0 + 5 * MIN);
  assert.equal(btc!.lateExit, false);
  assert.deepEqual([btc!.entryReferencePrice, btc!.exitReferencePrice], [102, 106]);
  // slipped by 1 bp against the long: buys at 102·1.0001 = 102.0102, sells at 106·0.9999 = 105.9894
  assert.ok(Math.abs(btc!.entryPrice - 102.0102) < 1e-9);
  assert.ok(Math.abs(btc!.exitPrice - 105.9894) < 1e-9);
  // by hand: 105.9894·0.999 / (102.0102·1.001) − 1 = 0.036931924…
  assert.ok(Math.abs(btc!.netReturn - 0.0369319241) < 1e-9);
  assert.ok(Math.abs(btc!.priceMove - (106 / 102 - 1)) < 1e-15, 'the price move is before slippage');
});

test('close fills the same signals at the decision close and the exit minute close, and ETH enters', () => {
  const frame = market();
  const { trades } = replay({
    frame,
    predictions: signalAtRow1(frame.length),
    strategy,
    period: { fromMs: T0, toMs: T0 + 3 * MIN },
    execution: handExecution('close'),
  });
  const bySymbol = Object.fromEntries(trades.map((trade) => [trade.symbol, trade]));
  assert.deepEqual([bySymbol.BTCUSDT!.entryPrice, bySymbol.BTCUSDT!.exitPrice], [101, 105]);
  assert.deepEqual([bySymbol.ETHUSDT!.entryPrice, bySymbol.ETHUSDT!.exitPrice], [50, 52]);
  assert.equal(bySymbol.BTCUSDT!.entryFilledTimeMs, T0 + MIN);
});

test('a missing exit fill candle moves a nextOpen exit to the next real open, flagged late', () => {
  const frame = market();
  // BTC row 5 missing: the exit due at row 4 fills at the open of row 6
  frame.columns.BTCUSDT!.present[5] = 0;
  const { trades } = replay({
    frame,
    predictions: signalAtRow1(frame.length),
    strategy,
    period: { fromMs: T0, toMs: T0 + 3 * MIN },
    execution: handExecution('nextOpen'),
  });
  const [btc] = trades;
  assert.equal(btc!.exitFilledTimeMs, T0 + 6 * MIN);
  assert.equal(btc!.lateExit, true);
  assert.equal(btc!.exitPrice, 107);
});

test('slippage moves both fills against the trade and equals the move-based price of the same trade', () => {
  assert.equal(slippedPrice(200, 'long', 'entry', 0.0003), 200.06);
  assert.equal(slippedPrice(200, 'long', 'exit', 0.0003), 199.94);
  assert.equal(slippedPrice(200, 'short', 'entry', 0.0003), 199.94);
  assert.equal(slippedPrice(200, 'short', 'exit', 0.0003), 200.06);
  for (const side of ['long', 'short'] as const) {
    const entry = slippedPrice(100, side, 'entry', 0.0003);
    const exit = slippedPrice(100.4, side, 'exit', 0.0003);
    const direct = netReturn(side, entry, exit, 0.001);
    assert.ok(Math.abs(netReturnFromMove(side, 0.004, 0.001, 0.0003) - direct) < 1e-15, side);
    assert.ok(
      netReturnFromMove(side, 0.004, 0.001, 0.0003) < netReturnFromMove(side, 0.004, 0.001),
      'it costs',
    );
  }
  // a flat price costs about 2·(fee + slippage): 2·(0.001 + 0.0003) = 0.0026
  assert.ok(Math.abs(netReturnFromMove('long', 0, 0.001, 0.0003) + 0.0026) < 2e-5);
});

test('slippage defaults by class, 1 bp for BTC and ETH and 3 bps for the rest, and a pair override wins', () => {
  const defaults = configSchema.parse({}).execution;
  assert.equal(defaults.entry, 'nextOpen');
  assert.deepEqual(
    ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'].map((symbol) => slippageBpsPerSide(defaults, symbol)),
    [1, 1, 3],
  );
  const custom = configSchema.parse({
    execution: { slippageBpsPerSide: { other: 5, bySymbol: { ETHUSDT: 2 } } },
  }).execution;
  const model = executionModel(custom, ['BTCUSDT', 'ETHUSDT', 'XRPUSDT'], 0.001);
  assert.equal(model.entry, 'nextOpen');
  assert.deepEqual(model.slippageRatePerSide, { BTCUSDT: 0.0001, ETHUSDT: 0.0002, XRPUSDT: 0.0005 });
  assert.throws(() => configSchema.parse({ execution: { entry: 'vwap' } }), /entry/);
  assert.throws(() => configSchema.parse({ execution: { slippageBpsPerSide: { other: -1 } } }), /other/);
});

test('trade moves for threshold fitting follow the fill model and skip trades whose fills are missing', () => {
  const frame = market();
  const close = tradeMoves(frame, HORIZON, 'close');
  const nextOpen = tradeMoves(frame, HORIZON, 'nextOpen');
  assert.ok(Math.abs(close.values[1 * 2]! - (105 / 101 - 1)) < 1e-7);
  assert.ok(Math.abs(nextOpen.values[1 * 2]! - (106 / 102 - 1)) < 1e-7);
  assert.equal(nextOpen.mask[1 * 2 + 1], 0, 'ETH at row 1: its entry minute is missing');
  assert.equal(close.mask[1 * 2 + 1], 1);
  assert.equal(close.mask[5 * 2 + 1], 1);
  assert.equal(nextOpen.mask[5 * 2], 0, 'row 5 + 3 + 1 is past the frame');
});
