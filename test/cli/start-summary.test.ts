import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakEvenLine } from '../../src/cli/commands/start.js';
import { handExecution } from '../strategy/params-fixture.js';

const execution = handExecution('nextOpen', { BTCUSDT: 0.0001, SOLUSDT: 0.0003 });

test("npm start's summary names the break-even cost per side beside the fills and slippage it assumed", () => {
  const line = breakEvenLine({
    execution,
    costCurveBreakEvenCostPerSide: { strategy: 0.00123, perPair: {} },
    strategy: { trades: 40 },
  });
  assert.equal(
    line,
    're-priced break-even cost per side 0.123% (spot-margin: taker 0.100% per side, fills at the next-minute open, slippage 0.010%-0.030% per side)',
  );
  assert.match(
    breakEvenLine({
      execution,
      costCurveBreakEvenCostPerSide: { strategy: null, perPair: {} },
      strategy: { trades: 3 },
    }),
    /^re-priced break-even cost per side: none, the trades lose before costs/,
  );
  assert.match(
    breakEvenLine({
      execution,
      costCurveBreakEvenCostPerSide: { strategy: null, perPair: {} },
      strategy: { trades: 0 },
    }),
    /^no trades, so no re-priced break-even cost/,
  );
});
