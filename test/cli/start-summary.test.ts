import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakEvenLine } from '../../src/cli/commands/start.js';

const execution = {
  entry: 'nextOpen' as const,
  slippageRatePerSide: { BTCUSDT: 0.0001, SOLUSDT: 0.0003 },
};

test("npm start's summary names the break-even cost per side beside the fills and slippage it assumed", () => {
  const line = breakEvenLine({
    execution,
    breakEvenCostPerSide: { strategy: 0.00123, perPair: {} },
    strategy: { trades: 40 },
  });
  assert.equal(
    line,
    'break-even cost per side 0.123% (fee + slippage together; fills at the next-minute open, slippage 0.010%-0.030% per side)',
  );
  assert.match(
    breakEvenLine({
      execution,
      breakEvenCostPerSide: { strategy: null, perPair: {} },
      strategy: { trades: 3 },
    }),
    /^break-even cost per side: none, the trades lose before costs/,
  );
  assert.match(
    breakEvenLine({
      execution,
      breakEvenCostPerSide: { strategy: null, perPair: {} },
      strategy: { trades: 0 },
    }),
    /^no trades, so no break-even cost/,
  );
});
