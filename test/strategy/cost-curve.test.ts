import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  averageNetReturnAtCost,
  breakEvenCostPerSide,
  costCurve,
  COST_CURVE_POINTS_PER_SIDE,
  type CostedTrade,
} from '../../src/strategy/cost-curve.js';

// Two longs of +1% and −0.2% and a short that gained 0.5%: gross average (1 − 0.2 + 0.5)/3 = 0.4333%.
const trades: CostedTrade[] = [
  { symbol: 'AAAUSDT', side: 'long', priceMove: 0.01 },
  { symbol: 'AAAUSDT', side: 'long', priceMove: -0.002 },
  { symbol: 'BBBUSDT', side: 'short', priceMove: -0.005 },
];

test('the cost curve prices every trade at each cost per side from 0 to 0.2%', () => {
  assert.equal(COST_CURVE_POINTS_PER_SIDE.length, 21);
  assert.equal(COST_CURVE_POINTS_PER_SIDE.at(-1), 0.002);
  const { costCurve: curve } = costCurve(trades, ['AAAUSDT', 'BBBUSDT', 'CCCUSDT']);
  assert.ok(Math.abs(curve.strategy[0]! - 0.013 / 3) < 1e-15, 'at zero cost: the gross average');
  // at 0.1%: long +1%: 1.01·0.999/1.001 − 1; long −0.2%: 0.998·0.999/1.001 − 1; short: 0.999 − 0.995·1.001
  const byHand = ((1.01 * 0.999) / 1.001 - 1 + (0.998 * 0.999) / 1.001 - 1 + 0.999 - 0.995 * 1.001) / 3;
  assert.ok(Math.abs(curve.strategy[10]! - byHand) < 1e-15);
  assert.deepEqual(curve.perPair.CCCUSDT, new Array(21).fill(null), 'a pair without trades has no curve');
  for (let i = 1; i < 21; i++) assert.ok(curve.strategy[i]! < curve.strategy[i - 1]!, 'falls as costs rise');
});

test('the break-even cost is where the average net return crosses zero', () => {
  const breakEven = breakEvenCostPerSide(trades)!;
  // a cost c per side costs about 2c per trade, so break-even ≈ 0.4333% / 2 ≈ 0.2167%
  assert.ok(Math.abs(breakEven - 0.013 / 6) < 2e-5, `break-even ${breakEven}`);
  assert.ok(Math.abs(averageNetReturnAtCost(trades, breakEven)!) < 1e-12);
  const { costCurveBreakEvenCostPerSide: perPair } = costCurve(trades, ['AAAUSDT', 'BBBUSDT', 'CCCUSDT']);
  assert.equal(perPair.strategy, breakEven);
  assert.ok(Math.abs(perPair.perPair.BBBUSDT! - 0.005 / 2) < 2e-5);
  assert.equal(perPair.perPair.CCCUSDT, null, 'no trades: no break-even');
  assert.equal(
    breakEvenCostPerSide([{ symbol: 'X', side: 'long', priceMove: -0.001 }]),
    null,
    'loses before costs',
  );
});
