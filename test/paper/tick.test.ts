import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger, tradeIdOf } from '../../src/paper/ledger.js';
import { tick, type TickDeps } from '../../src/paper/tick.js';
import { MINUTE_MS } from '../../src/time.js';
import {
  CrashingStore,
  handNetPnl,
  HORIZON_MINUTES,
  openBench,
  rawCloses,
  SNAPSHOT_C_START_MS,
  SYMBOLS,
  THRESHOLD_RETURN,
  type Bench,
} from './support/harness.js';
import { saveTinyChampion } from '../../fixtures/tiny-model.js';

const FIRST_MINUTE_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;

async function runMinutes(bench: Bench, deps: TickDeps, fromMs: number, count: number): Promise<void> {
  for (let minuteMs = fromMs; minuteMs < fromMs + count * MINUTE_MS; minuteMs += MINUTE_MS)
    await tick(bench.nowAfter(minuteMs), deps);
}

/** Every decision's entries are recorded exactly once, as a closed trade or as an open position. */
async function assertLedgerConsistent(ledger: Ledger, lastMinuteMs: number): Promise<void> {
  const decisions = await ledger.listDecisions(0, lastMinuteMs + MINUTE_MS);
  const trades = new Map(
    (await ledger.listTrades(0, lastMinuteMs + MINUTE_MS)).map((trade) => [trade.tradeId, trade]),
  );
  const open = new Map((await ledger.openPositions()).map((position) => [position.tradeId, position]));
  for (const decision of decisions) {
    for (const entry of decision.entries) {
      assert.equal(
        Number(trades.has(entry.tradeId)) + Number(open.has(entry.tradeId)),
        1,
        `${entry.tradeId} recorded exactly once`,
      );
    }
  }
  for (const position of open.values())
    assert.ok(position.exitTimeMs > lastMinuteMs, `${position.tradeId} open past its exit minute`);
}

test('replaying snapshot-c records ticks, predictions and closed trades whose PnL matches a hand check from the raw closes', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const deps = bench.deps();
  await runMinutes(bench, deps, FIRST_MINUTE_MS, 60);

  const ticks = await deps.ledger.listTicks(0, FIRST_MINUTE_MS + 60 * MINUTE_MS);
  assert.equal(ticks.length, 60);
  assert.ok(ticks.every((outcome) => outcome.status === 'ok' && outcome.predicted === SYMBOLS.length));
  const decision = (await deps.ledger.getDecision(FIRST_MINUTE_MS))!;
  const closes = new Map(SYMBOLS.map((symbol) => [symbol, rawCloses(symbol)]));
  for (const prediction of decision.predictions) {
    // the tiny model predicts the last minute's log return: check it against the raw JSON
    const symbolCloses = closes.get(prediction.symbol)!;
    const expected = Math.log(
      symbolCloses.get(FIRST_MINUTE_MS)! / symbolCloses.get(FIRST_MINUTE_MS - MINUTE_MS)!,
    );
    assert.ok(Math.abs(prediction.prediction! - expected) < 1e-6, `${prediction.symbol} prediction`);
  }

  const trades = await deps.ledger.listTrades(0, FIRST_MINUTE_MS + 60 * MINUTE_MS);
  assert.ok(trades.length >= 3, `at least three closed trades (got ${trades.length})`);
  const sides = new Set(trades.map((trade) => trade.side));
  const handChecked = [
    ...trades.filter((trade) => trade.side === 'long').slice(0, sides.has('long') ? 1 : 0),
    ...trades.filter((trade) => trade.side === 'short').slice(0, 1),
    ...trades.slice(-1),
  ];
  assert.equal(handChecked.length, 3);
  for (const trade of handChecked) {
    const symbolCloses = closes.get(trade.symbol)!;
    const entryClose = symbolCloses.get(trade.entryTimeMs)!;
    const exitClose = symbolCloses.get(trade.entryTimeMs + HORIZON_MINUTES * MINUTE_MS)!;
    assert.equal(trade.entryPrice, entryClose);
    assert.equal(trade.exitPrice, exitClose);
    assert.ok(
      Math.abs(trade.netPnl - handNetPnl(trade.side, entryClose, exitClose)) < 1e-9,
      `${trade.tradeId} net PnL`,
    );
    assert.ok(Math.abs(trade.grossPnl - trade.fees - trade.netPnl) < 1e-9);
    assert.ok(Math.abs(trade.prediction) >= THRESHOLD_RETURN);
  }
  await assertLedgerConsistent(deps.ledger, FIRST_MINUTE_MS + 59 * MINUTE_MS);
});

test('a duplicate tick for a minute already ticked changes nothing', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const deps = bench.deps();
  await runMinutes(bench, deps, FIRST_MINUTE_MS, 20);
  const before = await bench.store.list('paper/');
  const again = await tick(bench.nowAfter(FIRST_MINUTE_MS + 19 * MINUTE_MS), deps);
  assert.equal(again.status, 'duplicate');
  assert.deepEqual(await bench.store.list('paper/'), before);
});

test('two concurrent ticks for one minute yield exactly one decision and no duplicate trades', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  // two independent runners (separate model caches and sinks) on one store, racing every minute
  const first = bench.deps();
  const second = bench.deps({ store: bench.store });
  let decidedHere = 0;
  for (let minuteMs = FIRST_MINUTE_MS; minuteMs < FIRST_MINUTE_MS + 40 * MINUTE_MS; minuteMs += MINUTE_MS) {
    const nowMs = bench.nowAfter(minuteMs);
    const results = await Promise.all([tick(nowMs, first), tick(nowMs, second)]);
    decidedHere += results.filter((result) => result.decidedHere).length;
    const openedIds = results.flatMap((result) => result.opened.map((position) => position.tradeId));
    assert.equal(new Set(openedIds).size, openedIds.length, 'no position opened by both');
    const closedIds = results.flatMap((result) => result.closed.map((trade) => trade.tradeId));
    assert.equal(new Set(closedIds).size, closedIds.length, 'no trade closed by both');
  }
  assert.equal(decidedHere, 40, 'exactly one decision stored per minute');
  assert.equal((await first.ledger.listDecisions(0, FIRST_MINUTE_MS + 40 * MINUTE_MS)).length, 40);
  await assertLedgerConsistent(first.ledger, FIRST_MINUTE_MS + 39 * MINUTE_MS);

  // the racing pair ends with the same trades a single runner produces
  const solo = await openBench();
  t.after(() => solo.close());
  const soloDeps = solo.deps();
  await runMinutes(solo, soloDeps, FIRST_MINUTE_MS, 40);
  const summary = (trades: { tradeId: string; netPnl: number }[]) =>
    trades.map((trade) => `${trade.tradeId} ${trade.netPnl.toFixed(9)}`);
  assert.deepEqual(
    summary(await first.ledger.listTrades(0, Infinity)),
    summary(await soloDeps.ledger.listTrades(0, Infinity)),
  );
});

test('a tick killed between any two of its writes is repaired by the next tick, nothing counted twice', async (t) => {
  const reference = await openBench();
  t.after(() => reference.close());
  const referenceDeps = reference.deps();
  await runMinutes(reference, referenceDeps, FIRST_MINUTE_MS, 50);
  const referenceTrades = (await referenceDeps.ledger.listTrades(0, Infinity)).map(
    (trade) => `${trade.tradeId} ${trade.netPnl.toFixed(9)}`,
  );
  // one minute that closes a trade and one that opens a position, so every kind of write gets killed
  const crashMinutes = [FIRST_MINUTE_MS + 30 * MINUTE_MS, FIRST_MINUTE_MS + 31 * MINUTE_MS];
  const crashTicks = await Promise.all(
    crashMinutes.map(async (minuteMs) => (await referenceDeps.ledger.getTick(minuteMs))!),
  );
  assert.ok(
    crashTicks.some((outcome) => outcome.closed > 0) && crashTicks.some((outcome) => outcome.opened > 0),
  );

  let repaired = 0;
  for (const [index, crashMinuteMs] of crashMinutes.entries()) {
    const { closed, opened } = crashTicks[index]!;
    // a tick writes: per close a trade and a delete, then the decision, its positions, the tick outcome
    const writesInTick = 2 * closed + 1 + opened + 1;
    for (let crashAt = 1; crashAt <= writesInTick; crashAt++) {
      const bench = await openBench();
      try {
        const crashing = new CrashingStore(bench.store);
        const deps = bench.deps({ store: crashing });
        await runMinutes(bench, deps, FIRST_MINUTE_MS, (crashMinuteMs - FIRST_MINUTE_MS) / MINUTE_MS);
        crashing.armCrashOnWrite(crashAt);
        await assert.rejects(tick(bench.nowAfter(crashMinuteMs), deps), /injected crash/);
        crashing.disarm();
        const lastMinuteMs = FIRST_MINUTE_MS + 49 * MINUTE_MS;
        await runMinutes(bench, deps, crashMinuteMs + MINUTE_MS, (lastMinuteMs - crashMinuteMs) / MINUTE_MS);
        await assertLedgerConsistent(deps.ledger, lastMinuteMs);
        const trades = await deps.ledger.listTrades(0, Infinity);
        if (await deps.ledger.getDecision(crashMinuteMs)) {
          // the decision survived the crash: the next tick finished its writes and the ledger ends identical
          assert.deepEqual(
            trades.map((trade) => `${trade.tradeId} ${trade.netPnl.toFixed(9)}`),
            referenceTrades,
            `crash at write ${crashAt}`,
          );
          const outcome = (await deps.ledger.getTick(crashMinuteMs))!;
          assert.equal(outcome.status, 'repaired');
          repaired++;
        } else {
          // died before deciding: the minute is missed, yet every trade still prices from the raw closes
          for (const trade of trades) {
            const closes = rawCloses(trade.symbol);
            assert.ok(
              Math.abs(
                trade.netPnl -
                  handNetPnl(trade.side, closes.get(trade.entryTimeMs)!, closes.get(trade.exitTimeMs)!),
              ) < 1e-9,
            );
          }
        }
      } finally {
        await bench.close();
      }
    }
  }
  assert.ok(repaired >= 3, `crashes after the decision was stored were repaired (${repaired})`);
});

test('20 minutes of missed ticks leave no position open past its exit minute, each closed at its own exit close', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const deps = bench.deps();
  await runMinutes(bench, deps, FIRST_MINUTE_MS, 30);
  const openBefore = await deps.ledger.openPositions();
  assert.ok(openBefore.length > 0, 'positions are open when the ticks stop');
  const resumeMinuteMs = FIRST_MINUTE_MS + 50 * MINUTE_MS;
  await tick(bench.nowAfter(resumeMinuteMs), deps);
  const stillOpen = await deps.ledger.openPositions();
  assert.ok(stillOpen.every((position) => position.exitTimeMs > resumeMinuteMs));
  for (const position of openBefore) {
    const trade = (await deps.ledger.getTrade(position.tradeId))!;
    assert.equal(trade.exitCandleTimeMs, position.exitTimeMs);
    assert.equal(trade.exitPrice, rawCloses(position.symbol).get(position.exitTimeMs));
    assert.ok(trade.exitTimeMs < resumeMinuteMs);
  }
});

test('a new champion takes effect at the next tick and the open positions of the old one still close', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const deps = bench.deps();
  await runMinutes(bench, deps, FIRST_MINUTE_MS, 30);
  const openBefore = await deps.ledger.openPositions();
  assert.ok(openBefore.length > 0);
  // a model that never trades: thresholds no prediction reaches
  const newId = await saveTinyChampion(bench.store, {
    symbols: SYMBOLS,
    windowMinutes: 32,
    thresholdReturn: 1,
    feeRatePerSide: 0.001,
    createdAtMs: Date.now() + 1000,
  });
  await runMinutes(bench, deps, FIRST_MINUTE_MS + 30 * MINUTE_MS, 16);
  const decision = (await deps.ledger.getDecision(FIRST_MINUTE_MS + 30 * MINUTE_MS))!;
  assert.equal(decision.modelId, newId);
  assert.deepEqual(decision.entries, []);
  for (const position of openBefore)
    assert.equal((await deps.ledger.getTrade(position.tradeId))?.modelId, bench.modelId);
  assert.deepEqual(await deps.ledger.openPositions(), []);
});

test('a symbol Binance does not serve is logged as stale, gets no prediction and is never traded', async (t) => {
  const bench = await openBench({ symbols: [...SYMBOLS, 'BGBPUSDC'], servedSymbols: SYMBOLS });
  t.after(() => bench.close());
  const logged: string[] = [];
  const deps = { ...bench.deps(), log: (message: string) => logged.push(message) };
  await runMinutes(bench, deps, FIRST_MINUTE_MS, 20);
  const decision = (await deps.ledger.getDecision(FIRST_MINUTE_MS))!;
  const stale = decision.predictions.find((prediction) => prediction.symbol === 'BGBPUSDC')!;
  assert.equal(stale.action, 'stale');
  assert.equal(stale.prediction, null);
  assert.deepEqual(decision.staleSymbols, ['BGBPUSDC']);
  assert.ok(logged.some((line) => line.includes('BGBPUSDC')));
  const trades = await deps.ledger.listTrades(0, Infinity);
  assert.ok(trades.length > 0 && trades.every((trade) => trade.symbol !== 'BGBPUSDC'));
  assert.equal(tradeIdOf('BGBPUSDC', FIRST_MINUTE_MS), '2021-12-22T1919Z-BGBPUSDC');
});

/** Under overlap 'skip', no two trades or positions of one pair share a minute. */
async function assertNoOverlap(ledger: Ledger): Promise<void> {
  const held = [...(await ledger.listTrades(0, Infinity)), ...(await ledger.openPositions())];
  for (const symbol of new Set(held.map((record) => record.symbol))) {
    const ofPair = held
      .filter((record) => record.symbol === symbol)
      .sort((a, b) => a.entryTimeMs - b.entryTimeMs);
    for (let i = 1; i < ofPair.length; i++) {
      assert.ok(
        ofPair[i]!.entryTimeMs >= ofPair[i - 1]!.exitTimeMs,
        `${ofPair[i]!.tradeId} overlaps ${ofPair[i - 1]!.tradeId}`,
      );
    }
  }
}

test('a clock set back 13 minutes opens no position overlapping a trade already closed', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const deps = bench.deps();
  await runMinutes(bench, deps, FIRST_MINUTE_MS, 6);
  // ticks missed, then one 25 minutes in closes everything opened so far
  await tick(bench.nowAfter(FIRST_MINUTE_MS + 25 * MINUTE_MS), deps);
  const closed = await deps.ledger.listTrades(0, Infinity);
  assert.ok(closed.length > 0);
  assert.ok(
    (await deps.ledger.openPositions()).every(
      (position) => position.entryTimeMs > FIRST_MINUTE_MS + 20 * MINUTE_MS,
    ),
  );
  // the clock goes back 13 minutes: minute +12 was never ticked, and closed trades held pairs then
  const backMinuteMs = FIRST_MINUTE_MS + 12 * MINUTE_MS;
  assert.ok(closed.some((trade) => trade.entryTimeMs <= backMinuteMs && trade.exitTimeMs > backMinuteMs));
  const result = await tick(bench.nowAfter(backMinuteMs), deps);
  assert.equal(result.status, 'ok');
  const decision = (await deps.ledger.getDecision(backMinuteMs))!;
  assert.ok(
    decision.predictions.some((prediction) => prediction.prediction !== null),
    'the minute was decided',
  );
  await runMinutes(bench, deps, backMinuteMs + MINUTE_MS, 3);
  await assertNoOverlap(deps.ledger);
});
