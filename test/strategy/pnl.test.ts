import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakEvenMove, feeCost, netReturn, netReturnFromMove } from '../../src/strategy/pnl.js';

const FEE = 0.001;

test('a long from 100 to 102 nets 102·0.999/(100·1.001) − 1 after fees on both sides', () => {
  // by hand: 101.898 / 100.1 = 1.0179620379…
  assert.ok(Math.abs(netReturn('long', 100, 102, FEE) - 0.017962037962) < 1e-12);
});

test('a short from 100 to 98 profits when the price falls: (100·0.999 − 98·1.001)/100', () => {
  // by hand: (99.9 − 98.098) / 100 = 0.01802
  assert.ok(Math.abs(netReturn('short', 100, 98, FEE) - 0.01802) < 1e-12);
});

test('a short loses when the price rises and a long loses when it falls', () => {
  assert.ok(netReturn('short', 100, 101, FEE) < 0);
  assert.ok(netReturn('long', 100, 99, FEE) < 0);
});

test('an unchanged price costs about two fees on either side', () => {
  // long: 0.999/1.001 − 1 = −0.001998002…; short: 0.999 − 1.001 = −0.002
  assert.ok(Math.abs(netReturn('long', 50, 50, FEE) + 0.001998002) < 1e-9);
  assert.ok(Math.abs(netReturn('short', 50, 50, FEE) + 0.002) < 1e-12);
});

test('without fees a long earns the price move and a short its negation', () => {
  assert.ok(Math.abs(netReturn('long', 200, 210, 0) - 0.05) < 1e-12);
  assert.ok(Math.abs(netReturn('short', 200, 210, 0) + 0.05) < 1e-12);
});

test('a trade at exactly the break-even move nets zero', () => {
  for (const side of ['long', 'short'] as const) {
    assert.ok(Math.abs(netReturnFromMove(side, breakEvenMove(side, FEE), FEE)) < 1e-15, side);
  }
  // by hand: 1.001/0.999 − 1 = 0.002002002…
  assert.ok(Math.abs(breakEvenMove('long', FEE) - 0.002002002) < 1e-9);
});

test('the fee cost is the gross trade return minus the net return', () => {
  // long +2%: 0.02 − 0.017962037962 = 0.002037962038
  assert.ok(Math.abs(feeCost('long', 0.02, FEE) - 0.002037962038) < 1e-12);
  // short −2% move: gross 0.02, net 0.01802, fees 0.00198 = 0.001·(1 + 0.98)
  assert.ok(Math.abs(feeCost('short', -0.02, FEE) - 0.00198) < 1e-12);
});
