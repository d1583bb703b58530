/**
 * The no-champion rule of the paper tick, one use case (`paperTick`) for the Lambda, `alpha15 paper` and
 * the replay: without a champion the minute is skipped, nothing is written and the answer is typed; a
 * model named explicitly that does not exist is a failure. The Lambda's side is in
 * test/lambdas/paper-tick.test.ts, the CLI's below.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { paperTick, paperTickDeps } from '../../src/app/paper-tick.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import { startReplayServer } from '../../src/market/replay-server.js';
import { ModelNotFoundError } from '../../src/model/registry-errors.js';
import { LocalStore } from '../../src/store/local-store.js';
import { nullSink } from '../../src/telemetry/sink.js';
import { MINUTE_MS } from '../../src/time.js';
import { SNAPSHOT_C_DIR, SNAPSHOT_C_START_MS, SYMBOLS, testConfig } from '../paper/support/harness.js';
import { closedPort } from '../support/ports.js';
import { REPO_ROOT } from '../support/shared-data.js';

const NOW_MS = SNAPSHOT_C_START_MS + 90 * MINUTE_MS + 3_000;

async function emptyStore(t: { after(fn: () => Promise<void>): void }): Promise<LocalStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-no-champion-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return new LocalStore(dir);
}

/** The tick's dependencies on `store`, before a Binance nobody answers: the rule must decide before the market is asked anything. */
async function depsWithoutMarket(store: LocalStore, model?: string) {
  const binance = new BinanceClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, maxRetries: 0 });
  return paperTickDeps({ store, config: testConfig, binance, sink: nullSink(), model });
}

test('without a champion the tick is skipped with a typed outcome, and nothing is written', async (t) => {
  const store = await emptyStore(t);
  const deps = await depsWithoutMarket(store);
  const result = await paperTick(NOW_MS, deps);
  assert.deepEqual(result, {
    minuteMs: Math.floor(NOW_MS / MINUTE_MS) * MINUTE_MS - MINUTE_MS,
    status: 'no-champion',
    decidedHere: false,
    opened: [],
    closed: [],
  });
  assert.deepEqual(await store.list(''), []);
});

test('a model named explicitly that does not exist fails the tick: only the champion may be absent', async (t) => {
  const store = await emptyStore(t);
  const deps = await depsWithoutMarket(store, '20990101T000000Z-000000');
  await assert.rejects(paperTick(NOW_MS, deps), ModelNotFoundError);
});

test('alpha15 paper --once without a champion says the tick was skipped and exits 0, as the Lambda skips', async (t) => {
  const store = await emptyStore(t);
  const replay = await startReplayServer({
    source: { kind: 'rest-snapshot', dir: SNAPSHOT_C_DIR },
    symbols: SYMBOLS,
    fromMs: NOW_MS,
    manualClock: true,
  });
  t.after(() => replay.close());
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'paper',
        '--once',
        '--json',
        '--store',
        store.url,
        '--binance',
        replay.url,
      ],
      { cwd: REPO_ROOT, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /no champion model yet: tick skipped/);
  const summary = JSON.parse(run.stdout) as { ticks: number; missedMinutes: number; stoppedBy: string };
  assert.equal(summary.ticks, 0);
  assert.equal(summary.missedMinutes, 0);
  assert.equal(summary.stoppedBy, 'once');
  assert.deepEqual(await store.list(''), []);
});
