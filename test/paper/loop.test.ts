import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPaperLoop } from '../../src/paper/loop.js';
import { runPaperReplay } from '../../src/paper/replay.js';
import { floorToMinute, MINUTE_MS } from '../../src/time.js';
import {
  CrashingStore,
  openBench,
  SNAPSHOT_C_DIR,
  SNAPSHOT_C_START_MS,
  testConfig,
  TICK_OFFSET_MS,
} from './support/harness.js';

const FROM_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;

test('a replay at 300x ticks every replayed minute on the server clock and trades them into the ledger', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const started = performance.now();
  const summary = await runPaperReplay({
    store: bench.store,
    config: testConfig,
    dataDir: SNAPSHOT_C_DIR,
    fromMs: FROM_MS,
    toMs: FROM_MS + 30 * MINUTE_MS,
    speed: 300,
  });
  const realMs = performance.now() - started;
  // 30 replayed minutes at 300x take 6 s of real time, not 30 minutes
  assert.ok(realMs < 20_000, `took ${realMs} ms`);
  assert.equal(summary.stoppedBy, 'until');
  assert.ok(summary.ticks >= 25, `ticked ${summary.ticks} of 30 minutes`);
  const ticks = await bench.deps().ledger.listTicks(0, Infinity);
  assert.equal(ticks.length, summary.ticks);
  assert.equal(summary.firstMinuteMs, FROM_MS - MINUTE_MS);
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
  assert.ok(ticks.length >= 2 && ticks.length <= 4);
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
