/**
 * One bad open position never stops trading: it is quarantined (moved under paper/quarantine/ with its
 * reason, counted in the tick outcome, which raises the quarantine alarm and shows on the dashboard),
 * a healthy position of the same age closes, and every listed pair keeps being predicted and traded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LedgerView } from '../../src/paper/dashboard/ledger-view.js';
import { dashboardSummary } from '../../src/paper/dashboard/summary.js';
import { tradeIdOf } from '../../src/paper/ledger.js';
import type { Position } from '../../src/paper/records.js';
import { tick } from '../../src/paper/tick.js';
import { MINUTE_MS } from '../../src/time.js';
import { openBench, SNAPSHOT_C_START_MS, SYMBOLS } from './support/harness.js';
import { fixturePosition } from './support/ledger-fixture.js';

const FIRST_MINUTE_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;
/** Entered 20 minutes before the first tick: due at once. */
const ENTRY_MS = FIRST_MINUTE_MS - 20 * MINUTE_MS;
const TICKS = 3;

async function assertIsolated(fileName: string, bad: Position, reason: RegExp): Promise<void> {
  const bench = await openBench();
  try {
    const deps = bench.deps();
    await bench.store.put(`paper/positions/${fileName}.json`, JSON.stringify(bad));
    const good = fixturePosition('DOGEUSDT', ENTRY_MS, 3);
    await bench.store.put(`paper/positions/${good.tradeId}.json`, JSON.stringify(good));
    const key = `paper/positions/${fileName}.json`;

    const first = await tick(bench.nowAfter(FIRST_MINUTE_MS), deps);
    assert.equal(first.status, 'ok');
    assert.deepEqual(first.outcome!.quarantined, [key]);
    assert.deepEqual(
      first.closed.map((trade) => trade.tradeId),
      [good.tradeId],
    );
    assert.equal(first.outcome!.predicted, SYMBOLS.length, 'every listed pair was predicted');
    const why = JSON.parse(
      new TextDecoder().decode(await bench.store.get(`paper/quarantine/${key}.reason.json`)),
    ) as { key: string; reason: string };
    assert.equal(why.key, key);
    assert.match(why.reason, reason);
    assert.equal(await bench.store.get(key), undefined);

    for (let minute = 1; minute < TICKS; minute++) {
      const later = await tick(bench.nowAfter(FIRST_MINUTE_MS + minute * MINUTE_MS), deps);
      assert.equal(later.status, 'ok');
      assert.deepEqual(later.outcome!.quarantined, []);
      assert.equal(later.outcome!.predicted, SYMBOLS.length);
    }
    const trades = await deps.ledger.listTrades(0, Infinity);
    assert.deepEqual(
      trades.map((trade) => trade.tradeId),
      [good.tradeId],
      'nothing but the healthy position was closed',
    );
    const decisions = await deps.ledger.listDecisions(FIRST_MINUTE_MS, FIRST_MINUTE_MS + TICKS * MINUTE_MS);
    assert.equal(decisions.length, TICKS);
    assert.ok(
      decisions.some((decision) => decision.entries.length > 0),
      'the listed pairs kept trading',
    );
    // the dashboard's line
    const summary = dashboardSummary(await new LedgerView(bench.store).snapshot(), Date.now());
    assert.deepEqual(summary.quarantined, [{ minuteMs: FIRST_MINUTE_MS, key }]);
  } finally {
    await bench.close();
  }
}

test('a position in a pair the exchange no longer lists (UNKNOWN_SYMBOL) is quarantined and trading goes on', async () => {
  const delisted = { ...fixturePosition('ADAUSDT', ENTRY_MS, 0), symbol: 'LUNAUSDT' };
  delisted.tradeId = tradeIdOf('LUNAUSDT', ENTRY_MS);
  await assertIsolated(delisted.tradeId, delisted, /LUNAUSDT/);
});

test('a position whose tradeId holds ".." is quarantined and trading goes on', async () => {
  const name = tradeIdOf('AVAXUSDT', ENTRY_MS);
  const climbing = { ...fixturePosition('AVAXUSDT', ENTRY_MS, 1), tradeId: `../trades/${name}` };
  await assertIsolated(name, climbing, /tradeId "\.\.\/trades\//);
});

test('a position whose file name and tradeId differ is quarantined, not closed again every tick', async () => {
  const misfiled = fixturePosition('SOLUSDT', ENTRY_MS + MINUTE_MS, 2);
  await assertIsolated(tradeIdOf('SOLUSDT', ENTRY_MS), misfiled, /file name .* is not its tradeId/);
});
