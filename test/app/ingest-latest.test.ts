/**
 * The scheduled ingestion's lookback rule (src/app/ingest-latest.ts), the ingest Lambda's use case, on
 * a temporary file store over the synthetic market: what each run asks the source for, and the one
 * retrain request a run that added rows leaves. The deployed handler over Binance's API (the replay
 * server on real candles) is test/lambdas/ingest.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ingestFromMs, ingestLatest, type IngestLatestDeps } from '../../src/app/ingest-latest.js';
import { newDataRequestKey } from '../../src/app/request-retrain.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { SYNTHETIC_END_MS, syntheticSource } from '../../src/market/source.js';
import { LocalStore } from '../../src/store/local-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const LOOKBACK_MINUTES = 120;
const HOUR_MS = 60 * MINUTE_MS;
/** A minute well inside the synthetic market, and a schedule firing 20 s into it. */
const FIRST_RUN_MS = SYNTHETIC_END_MS - 10 * DAY_MS;

let dir: string;
let deps: IngestLatestDeps;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-ingest-latest-'));
  deps = {
    store: new LocalStore(dir),
    source: syntheticSource(SYMBOLS),
    symbols: SYMBOLS,
    lookbackMinutes: LOOKBACK_MINUTES,
    maxBackfillMinutes: DAY_MS / MINUTE_MS,
  };
});
after(() => rm(dir, { recursive: true, force: true }));

test('from: the lookback, or the minute after the watermark when that is earlier, never before the cap', () => {
  const toMs = FIRST_RUN_MS;
  const cap = 1440;
  assert.equal(
    ingestFromMs(toMs, undefined, 120, cap),
    toMs - 120 * MINUTE_MS,
    'an empty lake: the lookback',
  );
  assert.equal(
    ingestFromMs(toMs, toMs - 5 * MINUTE_MS, 120, cap),
    toMs - 120 * MINUTE_MS,
    'a recent watermark',
  );
  assert.equal(
    ingestFromMs(toMs, toMs - 10 * HOUR_MS, 120, cap),
    toMs - 10 * HOUR_MS + MINUTE_MS,
    'an outage',
  );
  assert.equal(ingestFromMs(toMs, toMs - 3 * DAY_MS, 120, cap), toMs - DAY_MS, 'a long outage: the cap');
});

test('the first run asks for the lookback up to the open minute and requests one retrain', async () => {
  const result = await ingestLatest(FIRST_RUN_MS + 20_000, deps);
  assert.equal(result.toMs, FIRST_RUN_MS, 'the scheduled minute is still open');
  for (const symbol of SYMBOLS) {
    const ran = result.symbols[symbol]!;
    assert.deepEqual([ran.fromMs, ran.toMs], [FIRST_RUN_MS - LOOKBACK_MINUTES * MINUTE_MS, FIRST_RUN_MS]);
    assert.ok(ran.rowsAdded > LOOKBACK_MINUTES - 10, `${symbol}: ${ran.rowsAdded} rows`);
  }
  assert.equal(result.retrainRequestKey, newDataRequestKey('ingest'));
  assert.ok(await deps.store.get(newDataRequestKey('ingest')));
});

test('a run over minutes already held adds nothing and requests no retrain', async () => {
  await deps.store.delete(newDataRequestKey('ingest'));
  const result = await ingestLatest(FIRST_RUN_MS + 40_000, deps);
  assert.equal(result.rowsAdded, 0);
  assert.equal(result.retrainRequestKey, undefined);
  assert.equal(await deps.store.get(newDataRequestKey('ingest')), undefined);
});

test('after an outage the run reaches back to the watermark, at most the cap per run', async () => {
  const resumeMs = FIRST_RUN_MS + 10 * HOUR_MS;
  const resumed = await ingestLatest(resumeMs, deps);
  const held = (await readWatermark(deps.store, 'BTCUSDT'))!;
  assert.equal(resumed.symbols.BTCUSDT!.fromMs, FIRST_RUN_MS, 'from the minute after the first run');
  assert.ok(held.lastOpenTimeMs < resumeMs);

  const longOutageMs = resumeMs + 3 * DAY_MS;
  const capped = await ingestLatest(longOutageMs, deps);
  assert.equal(capped.symbols.ETHUSDT!.fromMs, longOutageMs - DAY_MS, 'one day, the cap, per run');
});
