import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { closeFillBacktest, closeFillSnapshot } from './close-fill-scenario.js';

// Written by test/fixtures/close-fill-backtest.generate.ts with the fill code from before execution.entry existed.
const before = JSON.parse(
  readFileSync(new URL('../fixtures/close-fill-backtest.json', import.meta.url), 'utf8'),
) as ReturnType<typeof closeFillSnapshot>;

const cents = (value: number) => Math.round(value * 100);

test('with execution.entry=close and no slippage the backtest makes the same trades as before the fill model, to the cent', () => {
  const now = closeFillSnapshot(closeFillBacktest());
  assert.ok(before.strategy.length > 50 && before.ridge.length > 50, 'the fixture holds real trade sets');
  assert.ok(
    before.strategy.some((trade) => trade.lateExit),
    'and exits moved past a missing candle',
  );
  for (const contender of ['strategy', 'ridge'] as const) {
    assert.equal(now[contender].length, before[contender].length, `${contender}: trade count`);
    now[contender].forEach((trade, i) => {
      const reference = before[contender][i]!;
      const { entryPrice, exitPrice, netReturn, ...when } = trade;
      const {
        entryPrice: entryBefore,
        exitPrice: exitBefore,
        netReturn: netBefore,
        ...whenBefore
      } = reference;
      assert.deepEqual(when, whenBefore, `${contender} trade ${i}`);
      assert.equal(cents(entryPrice), cents(entryBefore), `${contender} trade ${i} entry`);
      assert.equal(cents(exitPrice), cents(exitBefore), `${contender} trade ${i} exit`);
      // per 1,000 of notional, the paper trader's default: the same PnL to the cent
      assert.equal(cents(1000 * netReturn), cents(1000 * netBefore), `${contender} trade ${i} net`);
    });
  }
  assert.deepEqual(now.random, before.random, 'random entries: the same draws, returns and p-value');
});
