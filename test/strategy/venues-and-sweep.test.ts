import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { replay } from '../../src/strategy/backtest.js';
import { executionModel, makerFills, makerLimitPrice } from '../../src/strategy/execution.js';
import { fitStrategyOnFrame } from '../../src/strategy/fit.js';
import { grossTradeReturn } from '../../src/strategy/pnl.js';
import { billedBorrowHours, tradeCarryCost, venueModel } from '../../src/strategy/venue.js';
import { handFrame } from '../support/hand-frame.js';
import { handExecution, handSetStrategy } from './params-fixture.js';
import { backtestPredictions, knownSignal, plantedFrame, plantedSplits, PLANTED } from './planted-signal.js';

const SYMBOLS = PLANTED.symbols;
const frame = plantedFrame();
const splits = plantedSplits(frame);
const signal = knownSignal(frame);
const configWith = (execution: Record<string, unknown>, strategy: Record<string, unknown> = {}) =>
  configSchema.parse({ symbols: SYMBOLS, execution, strategy });

test('the sweep refits at every fee: the planted edge breaks even above the cost it was tested at and below twice its gross move', () => {
  const config = configWith({ venue: 'spot-margin' });
  const result = backtestPredictions(frame, signal, { randomSimulations: 200, config });
  const { trades } = result.strategy;
  assert.ok(trades.length >= 50, `trades ${trades.length}`);
  const grossMove =
    trades.reduce((sum, trade) => sum + grossTradeReturn(trade.side, trade.priceMove), 0) / trades.length;
  // the cost the planted edge was tested at: the fee plus the laggards' slippage, per side
  const testedCost = config.strategy.feeRatePerSide + config.execution.slippageBpsPerSide.other / 10_000;
  const breakEven = result.breakEvenCostPerSide!.costPerSide!;
  assert.ok(breakEven > testedCost, `break-even ${breakEven} above the tested cost ${testedCost}`);
  assert.ok(breakEven < 2 * grossMove, `break-even ${breakEven} below twice the gross move ${grossMove}`);
  // the planted edge clears every fee swept, so the break-even is a lower bound and says so
  assert.equal(result.breakEvenCostPerSide!.atTopOfSweep, breakEven === 0.002);

  const sweep = result.costSweep;
  assert.deepEqual(sweep.configurations, {
    pairs: 4,
    thresholdCandidatesPerSide: 50,
    costs: sweep.points.length,
    venues: 1,
  });
  const costs = sweep.points.map((point) => point.costPerSide);
  assert.equal(costs[0], 0);
  assert.ok(
    costs.includes(0.002) && costs.includes(0.0005) && costs.includes(0.00017),
    'grid and futures tiers',
  );
  assert.ok(
    sweep.points.find((point) => point.costPerSide === 0.0005)!.labels.includes('usdm-futures VIP0 taker'),
  );
  assert.ok(sweep.points[0]!.trades > 0 && sweep.points[0]!.pValue! < 0.05, 'at no fee the edge trades');
  // at the configured fee the sweep's fit is the strategy's own
  const atConfigured = sweep.points.find((point) => point.costPerSide === config.strategy.feeRatePerSide)!;
  assert.equal(atConfigured.trades, trades.length);
});

test('with labels shuffled away the sweep finds no break-even at p < 0.05', () => {
  const shuffled = signal.map((_, i) => signal[(i * 7919) % signal.length]!);
  const result = backtestPredictions(frame, shuffled, { randomSimulations: 50, config: configWith({}) });
  assert.equal(result.breakEvenCostPerSide!.costPerSide, null);
});

test('spot drops exactly the short trades and counts them; spot-margin and futures keep them', () => {
  // 'stack': a dropped short holds nothing, so with 'skip' a later long could take its place
  const config = configWith(
    { venue: 'spot-margin', spotMargin: { borrowRatePerHour: { default: 0 } } },
    { overlap: 'stack' },
  );
  const strategy = fitStrategyOnFrame({ frame, predictions: signal, period: splits.validation, config });
  const run = (venue: 'spot' | 'spot-margin') =>
    replay({
      frame,
      predictions: signal,
      strategy,
      period: splits.test,
      execution: executionModel(
        { ...config.execution, venue },
        frame.symbols,
        config.strategy.feeRatePerSide,
      ),
    });
  const margin = run('spot-margin');
  const spot = run('spot');
  const shorts = margin.trades.filter((trade) => trade.side === 'short');
  assert.ok(shorts.length > 10 && shorts.length < margin.trades.length, `shorts ${shorts.length}`);
  const key = (trade: (typeof margin.trades)[number]) =>
    `${trade.symbol} ${trade.entryTimeMs} ${trade.side} ${trade.netReturn}`;
  assert.deepEqual(spot.trades.map(key), margin.trades.filter((trade) => trade.side === 'long').map(key));
  assert.equal(spot.droppedShorts, shorts.length);
  assert.equal(margin.droppedShorts, 0);
});

test('spot-margin charges a short its borrow interest by the started hour; longs pay none', () => {
  const config = configWith({
    venue: 'spot-margin',
    spotMargin: { borrowRatePerHour: { default: 0.00002, byAsset: { LAGA: 0.0001 } } },
  });
  const venue = venueModel(config.execution, ['LAGAUSDT', 'LAGBUSDT'], 0.001);
  const at = (hh: number, mm: number) => Date.UTC(2026, 1, 2, hh, mm);
  // borrowed 13:55, repaid 14:10: one hour at the loan and one at 14:00
  assert.equal(billedBorrowHours(at(13, 55), at(14, 10), 'hourly'), 2);
  assert.equal(billedBorrowHours(at(13, 20), at(13, 35), 'hourly'), 1);
  assert.equal(billedBorrowHours(at(13, 20), at(13, 35), 'perMinute'), 0.25);
  const short = {
    symbol: 'LAGAUSDT',
    side: 'short' as const,
    entryFilledTimeMs: at(13, 55),
    exitFilledTimeMs: at(14, 10),
  };
  assert.ok(Math.abs(tradeCarryCost(venue, short) - 0.0002) < 1e-15, 'the pair of LAGA pays its asset rate');
  assert.ok(
    Math.abs(tradeCarryCost(venue, { ...short, symbol: 'LAGBUSDT' }) - 0.00004) < 1e-15,
    'default rate',
  );
  assert.equal(tradeCarryCost(venue, { ...short, side: 'long' }), 0);
});

test('usdm-futures charges its tier fees and exchanges funding only across a funding time', () => {
  const config = configWith({
    venue: 'usdm-futures',
    usdmFutures: {
      tier: 'VIP1',
      fundingRatePerInterval: { default: 0.0001, bySymbol: { LAGBUSDT: -0.0003 } },
    },
  });
  const venue = venueModel(config.execution, ['LAGAUSDT', 'LAGBUSDT'], 0.001);
  assert.equal(venue.takerFeeRatePerSide, 0.0004);
  assert.equal(venue.makerFeeRatePerSide, 0.00016);
  const at = (hh: number, mm: number) => Date.UTC(2026, 1, 2, hh, mm);
  const across = {
    symbol: 'LAGAUSDT',
    side: 'long' as const,
    entryFilledTimeMs: at(7, 50),
    exitFilledTimeMs: at(8, 5),
  };
  assert.equal(tradeCarryCost(venue, across), 0.0001, 'a long pays a positive rate at 08:00');
  assert.equal(tradeCarryCost(venue, { ...across, side: 'short' }), -0.0001, 'a short receives it');
  assert.equal(
    tradeCarryCost(venue, { ...across, symbol: 'LAGBUSDT' }),
    -0.0003,
    'a negative rate pays the long',
  );
  assert.equal(
    tradeCarryCost(venue, { ...across, entryFilledTimeMs: at(8, 1), exitFilledTimeMs: at(8, 16) }),
    0,
  );
});

test('a maker limit fills only in a minute that trades through it, at the limit and the maker fee', () => {
  const T0 = Date.UTC(2026, 1, 2, 9, 0);
  // the long's limit is 100·(1 − 0.001) = 99.9 after the signal at row 1 (close 100)
  const throughAt = (low: number) =>
    handFrame(T0, {
      AAAUSDT: [
        { close: 100 },
        { close: 100 },
        { close: 100.2, open: 100, low },
        ...Array.from({ length: 6 }, () => ({ close: 101 })),
      ],
    });
  const strategy = handSetStrategy({ AAAUSDT: { long: 0.01 } }, { horizonMinutes: 3 });
  const predictions = new Float64Array(9).fill(Number.NaN);
  predictions[1] = 0.05;
  const execution = handExecution('maker', { AAAUSDT: 0.001 }, { makerFeeRatePerSide: 0.0002 });
  const run = (low: number) =>
    replay({
      frame: throughAt(low),
      predictions,
      strategy,
      period: { fromMs: T0, toMs: T0 + 3 * 60_000 },
      execution,
    });
  for (const low of [99.95, 99.9]) {
    const result = run(low);
    assert.equal(result.trades.length, 0, `a low of ${low} does not trade through 99.9`);
    assert.deepEqual(
      [result.makerFills!.signals, result.makerFills!.filled, result.makerFills!.fillRate],
      [1, 0, 0],
    );
  }
  const filled = run(99.85);
  assert.equal(filled.trades.length, 1);
  const [trade] = filled.trades;
  assert.ok(Math.abs(trade!.entryPrice - 99.9) < 1e-9, 'fills at its limit, no slippage');
  assert.equal(trade!.entryLiquidity, 'maker');
  // maker 0.02% in, taker 0.1% out at the open after the exit minute (101, slipped 0.1%)
  const exit = 101 * (1 - 0.001);
  assert.ok(Math.abs(trade!.netReturn - ((exit * (1 - 0.001)) / (99.9 * 1.0002) - 1)) < 1e-12);
  assert.equal(filled.makerFills!.fillRate, 1);
});

test('on the planted market no maker entry fills in a minute whose range does not reach its limit', () => {
  const config = configWith({ entry: 'maker' });
  const result = backtestPredictions(frame, signal, { randomSimulations: 50, config });
  const { trades, makerFills: fills } = result.strategy;
  assert.ok(trades.length > 20, `trades ${trades.length}`);
  for (const trade of trades) {
    const columns = frame.columns[trade.symbol]!;
    const decisionRow = (trade.entryTimeMs - frame.startTimeMs) / 60_000;
    const limit = makerLimitPrice(
      columns.close[decisionRow]!,
      trade.side,
      result.execution.slippageRatePerSide[trade.symbol]!,
    );
    const minute = { low: columns.low[decisionRow + 1]!, high: columns.high[decisionRow + 1]! };
    assert.ok(makerFills(trade.side, limit, minute), `${trade.symbol} at ${trade.entryTimeMs}`);
    assert.ok(trade.side === 'long' ? minute.low < limit : minute.high > limit);
    assert.equal(trade.entryReferencePrice, limit);
  }
  assert.ok(fills!.signals > fills!.filled && fills!.filled === trades.length + result.strategy.unclosed);
  assert.ok(fills!.fillRate! > 0 && fills!.fillRate! < 1);
  // adverse selection is measured, not assumed: both sides of it are reported
  assert.ok(Number.isFinite(fills!.avgMoveFilled!) && Number.isFinite(fills!.avgMoveUnfilled!));
});
