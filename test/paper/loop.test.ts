import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { runPaperLoop } from '../../src/paper/loop.js';
import { runPaperReplay } from '../../src/app/paper-replay.js';
import { floorToMinute, MINUTE_MS } from '../../src/time.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  CrashingStore,
  openBench,
  SNAPSHOT_C_DIR,
  SNAPSHOT_C_START_MS,
  SYMBOLS,
  testConfig,
  TICK_OFFSET_MS,
  type Bench,
} from './support/harness.js';

const FROM_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;

test('a replay at 300x ticks on the server clock once a minute, sleeping a replayed minute in real 200 ms, and trades into the ledger', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  // real time on a manual clock: the replay runs at 300x of it, and the loop waits only on it
  const clock = new ManualClock();
  const startedMs = clock.nowMs();
  const summary = await runPaperReplay({
    store: bench.store,
    config: testConfig,
    dataDir: SNAPSHOT_C_DIR,
    fromMs: FROM_MS,
    toMs: FROM_MS + 30 * MINUTE_MS,
    speed: 300,
    clock,
  });
  assert.equal(summary.stoppedBy, 'until');
  // the minute that closed as the replay began, then each of the 29 that close before toMs, none missed
  assert.equal(summary.firstMinuteMs, FROM_MS - MINUTE_MS);
  assert.equal(summary.lastMinuteMs, FROM_MS + 28 * MINUTE_MS);
  assert.equal(summary.ticks, 30);
  assert.equal(summary.missedMinutes, 0);
  const ticks = await bench.deps().ledger.listTicks(0, Infinity);
  assert.deepEqual(
    ticks.map((outcome) => outcome.minuteMs),
    Array.from({ length: 30 }, (_, i) => FROM_MS + (i - 1) * MINUTE_MS),
  );
  // 29 replayed minutes and the 2 s tick delay take (29 * 60 + 2) / 300 s of real time, not 30 minutes
  const realMs = clock.nowMs() - startedMs;
  assert.ok(Math.abs(realMs - (29 * MINUTE_MS + 2_000) / 300) < 1, `slept ${realMs} ms`);
  assert.ok(summary.ledger.trades > 0 && summary.closed === summary.ledger.trades);
  assert.ok(Math.abs(summary.netPnl - summary.ledger.netPnl) < 1e-9);
});

test('an abort stops the loop between ticks: the tick in progress finishes, no further one starts', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const abort = new AbortController();
  let abortedAtMs: number | undefined;
  const summary = await runPaperReplay({
    store: bench.store,
    config: testConfig,
    dataDir: SNAPSHOT_C_DIR,
    fromMs: FROM_MS,
    toMs: FROM_MS + 60 * MINUTE_MS,
    speed: 600,
    clock: new ManualClock(),
    signal: abort.signal,
    onTick: (result) => {
      if (result.minuteMs < FROM_MS + 2 * MINUTE_MS) return;
      abortedAtMs ??= result.minuteMs;
      abort.abort();
    },
  });
  assert.equal(summary.stoppedBy, 'signal');
  assert.equal(summary.lastMinuteMs, abortedAtMs);
  const ticks = await bench.deps().ledger.listTicks(0, Infinity);
  assert.equal(ticks.at(-1)?.minuteMs, abortedAtMs);
  // the minute before FROM_MS, FROM_MS, the one after, and the one that aborts
  assert.equal(abortedAtMs, FROM_MS + 2 * MINUTE_MS);
  assert.equal(ticks.length, 4);
});

test('a tick that dies mid-write does not stop the loop: the next minute ticks and repairs it', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const crashing = new CrashingStore(bench.store);
  const deps = bench.deps({ store: crashing });
  const failures: number[] = [];
  const lastMinuteMs = FROM_MS + 20 * MINUTE_MS;
  bench.nowAfter(FROM_MS);
  const summary = await runPaperLoop({
    deps,
    serverTimeMs: async () => bench.replay.nowMs(),
    untilMs: lastMinuteMs + MINUTE_MS + TICK_OFFSET_MS + 1,
    tickDelayMs: TICK_OFFSET_MS,
    maxPollMs: 1,
    // the replay clock is manual here: each tick moves it to the next minute, so the test needs no waiting
    onTick: (result) => {
      if (result.minuteMs === FROM_MS + 4 * MINUTE_MS) crashing.armCrashOnWrite(1);
      bench.nowAfter(result.minuteMs + MINUTE_MS);
    },
    onError: (_, nowMs) => {
      failures.push(nowMs);
      crashing.disarm();
      bench.nowAfter(floorToMinute(nowMs));
    },
  });
  assert.equal(summary.failedTicks, 1);
  assert.equal(failures.length, 1);
  assert.equal(summary.stoppedBy, 'until');
  assert.equal(summary.lastMinuteMs, lastMinuteMs);
  const crashedMinuteMs = FROM_MS + 5 * MINUTE_MS;
  const ticks = await deps.ledger.listTicks(0, Infinity);
  for (let minuteMs = FROM_MS; minuteMs <= lastMinuteMs; minuteMs += MINUTE_MS) {
    const outcome = ticks.find((candidate) => candidate.minuteMs === minuteMs);
    // the killed minute is repaired when its decision was stored, else simply missed
    if (minuteMs === crashedMinuteMs) assert.ok(outcome === undefined || outcome.status === 'repaired');
    else assert.equal(outcome?.status, 'ok', new Date(minuteMs).toISOString());
  }
});

test('a replay at max speed ticks every minute exactly once, as fast as the tick runs', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const summary = await runPaperReplay({
    store: bench.store,
    config: testConfig,
    dataDir: SNAPSHOT_C_DIR,
    fromMs: FROM_MS,
    toMs: FROM_MS + 45 * MINUTE_MS,
    speed: 'max',
  });
  assert.equal(summary.stoppedBy, 'until');
  const ticks = await bench.deps().ledger.listTicks(0, Infinity);
  assert.deepEqual(
    ticks.map((outcome) => outcome.minuteMs),
    Array.from({ length: 45 }, (_, i) => FROM_MS - MINUTE_MS + i * MINUTE_MS),
  );
  assert.equal(summary.ticks, 45);
  assert.ok(summary.ledger.trades > 0);
});

/** Ticks minutes [FROM_MS, lastMinuteMs] with the replay clock stepped by hand after every tick. */
async function steppedLoop(
  bench: Bench,
  lastMinuteMs: number,
  hooks: Partial<Parameters<typeof runPaperLoop>[0]> = {},
) {
  bench.nowAfter(FROM_MS);
  return runPaperLoop({
    deps: bench.deps(),
    serverTimeMs: async () => bench.replay.nowMs(),
    untilMs: lastMinuteMs + MINUTE_MS + TICK_OFFSET_MS + 1,
    tickDelayMs: TICK_OFFSET_MS,
    maxPollMs: 1,
    onTick: (result) => bench.nowAfter(result.minuteMs + MINUTE_MS),
    ...hooks,
  });
}

test('the loop lives through an exchange outage (server killed and restarted), logs each missed minute and catches up due exits at their own prices', async (t) => {
  const lastMinuteMs = FROM_MS + 30 * MINUTE_MS;
  const reference = await openBench();
  t.after(() => reference.close());
  await steppedLoop(reference, lastMinuteMs);

  const bench = await openBench();
  t.after(() => bench.close());
  const port = Number(new URL(bench.replay.url).port);
  let server: ReplayServer = bench.replay;
  const killedAfterMs = FROM_MS + 15 * MINUTE_MS;
  const backMs = FROM_MS + 19 * MINUTE_MS;
  const clockErrors: number[] = [];
  const missed: [number, string][] = [];
  const client = bench.deps().binance as unknown as { serverTimeMs(): Promise<number> };
  bench.nowAfter(FROM_MS);
  const summary = await runPaperLoop({
    deps: bench.deps(),
    // the real HTTP clock read, so the outage is the one a trader sees: connection refused
    serverTimeMs: () => client.serverTimeMs(),
    untilMs: lastMinuteMs + MINUTE_MS + TICK_OFFSET_MS + 1,
    tickDelayMs: TICK_OFFSET_MS,
    maxPollMs: 1,
    backoff: { initialMs: 5, maxMs: 20 },
    onTick: (result) => {
      if (result.minuteMs === killedAfterMs) void server.close();
      else server.setTimeMs(result.minuteMs + 2 * MINUTE_MS + TICK_OFFSET_MS);
    },
    onClockError: (_, retryInMs) => {
      clockErrors.push(retryInMs);
      if (clockErrors.length !== 3) return;
      // the exchange comes back on the same address, four minutes later
      void startReplayServer({
        source: { kind: 'rest-snapshot', dir: SNAPSHOT_C_DIR },
        symbols: SYMBOLS,
        fromMs: backMs + MINUTE_MS + TICK_OFFSET_MS,
        manualClock: true,
        port,
      }).then((restarted) => {
        server = restarted;
      });
    },
    onMissedMinute: (minuteMs, reason) => missed.push([minuteMs, reason]),
  });
  t.after(() => server.close());

  assert.equal(summary.stoppedBy, 'until');
  assert.equal(summary.lastMinuteMs, lastMinuteMs);
  assert.ok(summary.clockFailures >= 3);
  assert.deepEqual(clockErrors.slice(0, 3), [5, 10, 20], 'the retries back off');
  assert.deepEqual(
    missed.map(([minuteMs]) => minuteMs),
    [FROM_MS + 16 * MINUTE_MS, FROM_MS + 17 * MINUTE_MS, FROM_MS + 18 * MINUTE_MS],
  );
  assert.match(missed[0]![1], /exchange unreachable/);
  assert.equal(summary.missedMinutes, 3);

  const ledger = bench.deps().ledger;
  const expected = reference.deps().ledger;
  const ticked = (await ledger.listTicks(0, Infinity)).map((outcome) => outcome.minuteMs);
  assert.equal(ticked.length, 31 - 3);
  // every minute it could tick decided exactly like the uninterrupted run
  for (const minuteMs of ticked) {
    const [ours, theirs] = [await ledger.getDecision(minuteMs), await expected.getDecision(minuteMs)];
    assert.deepEqual(ours?.predictions, theirs?.predictions, new Date(minuteMs).toISOString());
  }
  const referenceTrades = new Map(
    (await expected.listTrades(0, Infinity)).map((trade) => [trade.tradeId, trade]),
  );
  const trades = await ledger.listTrades(0, Infinity);
  // each bench saved its own tiny champion: same weights, another id
  // the book is recorded only when an exit fills at once: a caught-up exit has the same price but no book
  const strip = (trade: object) =>
    Object.fromEntries(
      Object.entries(trade).filter(([key]) => !['closedAtMs', 'modelId', 'exitQuote'].includes(key)),
    );
  for (const trade of trades)
    assert.deepEqual(strip(trade), strip(referenceTrades.get(trade.tradeId)!), trade.tradeId);
  // trades entered before the outage are all there, and those due during it closed at their own exit minute
  const before = [...referenceTrades.values()].filter((trade) => trade.entryTimeMs <= killedAfterMs);
  assert.deepEqual(
    trades
      .filter((trade) => trade.entryTimeMs <= killedAfterMs)
      .map((trade) => trade.tradeId)
      .sort(),
    before.map((trade) => trade.tradeId).sort(),
  );
  const caughtUp = trades.filter((trade) => trade.exitTimeMs > killedAfterMs && trade.exitTimeMs < backMs);
  assert.ok(caughtUp.length > 0, 'some exits fell due during the outage');
  for (const trade of caughtUp) assert.equal(trade.exitCandleTimeMs, trade.exitTimeMs);
});
