/**
 * The deployed paper-tick handler against a mocked S3 bucket (aws-sdk-client-mock), the replay server
 * standing in for Binance (real snapshot-c candles) and a local OpenSearch stand-in that receives the
 * SigV4-signed telemetry. The reference is `tick()` with `paperTickDeps` on a local store: what
 * `alpha15 paper --once` runs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Ledger } from '../../src/paper/ledger.js';
import { tick } from '../../src/paper/tick.js';
import { openStore } from '../../src/store/open-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import {
  FEE_RATE_PER_SIDE,
  NOTIONAL,
  openBench,
  SNAPSHOT_C_START_MS,
  SYMBOLS,
  type Bench,
} from '../paper/support/harness.js';
import { lambdaContext, scheduledEvent } from './support/events.js';
import { mockBucket, type MockBucket } from './support/s3-bucket.js';

const BUCKET_URL = 's3://alpha15-lake';
/** A minute in which the tiny champion opens a position. */
const MINUTE_MS_TICKED = SNAPSHOT_C_START_MS + 42 * MINUTE_MS;

let bench: Bench;
let bucket: MockBucket;
let openSearch: FakeOpenSearch;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

before(async () => {
  bench = await openBench();
  bucket = mockBucket();
  // the domain serves only requests signed with the function's credentials (set below)
  openSearch = await startFakeOpenSearch({
    requireSigV4: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', region: 'eu-west-1' },
  });
  Object.assign(process.env, {
    STORE_URL: BUCKET_URL,
    SYMBOLS: SYMBOLS.join(','),
    OPENSEARCH_URL: openSearch.url,
    INDEX_PREFIX: 'alpha15',
    ALPHA15_BINANCE_BASE_URL: bench.replay.url,
    ALPHA15_STRATEGY__FEE_RATE_PER_SIDE: String(FEE_RATE_PER_SIDE),
    ALPHA15_PAPER__NOTIONAL_PER_TRADE: String(NOTIONAL),
    // the reference tick's fill model (harness testConfig)
    ALPHA15_EXECUTION__ENTRY: 'close',
    ALPHA15_EXECUTION__SLIPPAGE_BPS_PER_SIDE__OTHER: '0',
    // the telemetry client signs with the credentials Lambda gives the function
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  ({ handler } = (await import('../../lambdas/paper-tick/handler.js')) as unknown as {
    handler: typeof handler;
  });
});
after(async () => {
  bucket.restore();
  await openSearch.close();
  await bench.close();
});

/** The EventBridge schedule fires at the start of the minute after the one whose candle just closed. */
function scheduledFor(minuteMs: number) {
  bench.nowAfter(minuteMs);
  return scheduledEvent(new Date(minuteMs + MINUTE_MS).toISOString());
}

const ledgerKeys = () => [...bucket.objects.keys()].filter((key) => key.startsWith('paper/'));

test('before the first training job has made a champion, a tick trades nothing and says why', async () => {
  assert.deepEqual(await handler(scheduledFor(MINUTE_MS_TICKED - MINUTE_MS), lambdaContext), {
    status: 'no-champion',
  });
  assert.deepEqual(ledgerKeys(), []);
});

test('a scheduled minute runs the same tick as alpha15 paper: same decision, same positions, telemetry indexed', async () => {
  // the champion a training job would have left in the bucket: the bench's model, byte for byte
  const lake = openStore(BUCKET_URL);
  for (const key of await bench.store.list('models/')) await lake.put(key, (await bench.store.get(key))!);

  const result = (await handler(scheduledFor(MINUTE_MS_TICKED), lambdaContext)) as {
    minuteMs: number;
    status: string;
    opened: number;
  };
  assert.equal(result.minuteMs, MINUTE_MS_TICKED);
  assert.equal(result.status, 'ok');

  const reference = bench.deps();
  await tick(MINUTE_MS_TICKED + MINUTE_MS, reference);
  const fromLambda = await new Ledger(lake).getDecision(MINUTE_MS_TICKED);
  const fromCli = await reference.ledger.getDecision(MINUTE_MS_TICKED);
  assert.ok(fromLambda && fromCli);
  assert.equal(fromLambda.modelId, bench.modelId);
  assert.deepEqual(fromLambda.predictions, fromCli.predictions);
  assert.equal(fromCli.entries.length, 1, 'the minute opens one position');
  assert.deepEqual(fromLambda.entries, fromCli.entries);
  assert.equal(result.opened, fromCli.entries.length);
  assert.deepEqual(
    (await new Ledger(lake).openPositions()).map((position) => position.tradeId).sort(),
    fromCli.entries.map((entry) => entry.tradeId).sort(),
  );
  assert.equal((await new Ledger(lake).getTick(MINUTE_MS_TICKED))?.status, 'ok');

  const indexed = [...openSearch.documents.entries()].filter(([index]) => index.startsWith('alpha15-'));
  assert.ok(indexed.length > 0, `telemetry reached OpenSearch (requests: ${openSearch.requests.join(', ')})`);
  assert.deepEqual(openSearch.refused, [], 'every telemetry request carried a valid signature');
});

test('a redelivered event for a minute already ticked writes nothing', async () => {
  const before = new Map([...bucket.objects].map(([key, bytes]) => [key, bytes]));
  const result = (await handler(scheduledFor(MINUTE_MS_TICKED), lambdaContext)) as { status: string };
  assert.equal(result.status, 'duplicate');
  assert.deepEqual([...bucket.objects.keys()].sort(), [...before.keys()].sort());
  for (const [key, bytes] of before) assert.equal(bucket.objects.get(key), bytes, `${key} was not rewritten`);
});

test('a corrupt ledger object in the bucket is quarantined and the scheduled tick still trades', async () => {
  const lake = openStore(BUCKET_URL);
  const corruptKey = 'paper/positions/2021-12-22T1900Z-ADAUSDT.json';
  await lake.put(corruptKey, '{"tradeId":');
  const result = (await handler(scheduledFor(MINUTE_MS_TICKED + MINUTE_MS), lambdaContext)) as {
    status: string;
    quarantined: number;
  };
  assert.equal(result.status, 'ok');
  assert.equal(result.quarantined, 1);
  assert.equal(await lake.get(corruptKey), undefined);
  assert.ok(await lake.get(`paper/quarantine/${corruptKey}.reason.json`));
  assert.ok(await new Ledger(lake).getTick(MINUTE_MS_TICKED + MINUTE_MS));
});

test('two concurrent invocations for each minute (no reserved concurrency) store one decision per minute and the trades of one runner', async () => {
  // a second execution environment: its own module instance, store client and model cache
  const secondEnvironment = '../../lambdas/paper-tick/handler.js?environment=2';
  const { handler: secondHandler } = (await import(secondEnvironment)) as { handler: typeof handler };
  const statuses: string[] = [];
  const reference = bench.deps();
  // the reference catches up with the minute the quarantine test ticked in the bucket
  await tick(MINUTE_MS_TICKED + 2 * MINUTE_MS, reference);
  const firstMs = MINUTE_MS_TICKED + 2 * MINUTE_MS;
  const minutes = 20;
  for (let minuteMs = firstMs; minuteMs < firstMs + minutes * MINUTE_MS; minuteMs += MINUTE_MS) {
    const event = scheduledFor(minuteMs);
    const results = (await Promise.all([
      handler(event, lambdaContext),
      secondHandler(event, lambdaContext),
    ])) as { status: string; opened: number }[];
    statuses.push(results.map((result) => result.status).join('+'));
    const decision = await new Ledger(openStore(BUCKET_URL)).getDecision(minuteMs);
    assert.ok(decision, 'the minute has its decision');
    // whoever lost the race to create the decision applied the winner's: no position opened twice
    const opened = results.reduce((sum, result) => sum + (result.opened ?? 0), 0);
    assert.ok(
      opened <= decision.entries.length,
      `minute ${minuteMs}: ${opened} opened for ${decision.entries.length} entries`,
    );
    await tick(minuteMs + MINUTE_MS, reference);
  }
  // both invocations got past the duplicate check: only the conditional writes kept them apart
  assert.ok(statuses.includes('ok+ok'), `the invocations really raced: ${statuses.join(', ')}`);
  const lake = new Ledger(openStore(BUCKET_URL));
  const decisionKeys = ledgerKeys().filter((key) => key.startsWith('paper/decisions/'));
  assert.equal(new Set(decisionKeys).size, decisionKeys.length);
  const summary = (trades: { tradeId: string; netPnl: number }[]) =>
    trades.map((trade) => `${trade.tradeId} ${trade.netPnl.toFixed(9)}`);
  const trades = await lake.listTrades(0, Infinity);
  assert.ok(trades.length > 0, 'the minutes close at least one trade');
  assert.deepEqual(summary(trades), summary(await reference.ledger.listTrades(0, Infinity)));
  assert.deepEqual(
    (await lake.openPositions()).map((position) => position.tradeId).sort(),
    (await reference.ledger.openPositions()).map((position) => position.tradeId).sort(),
  );
});

test('an event that is not a schedule is refused by name', async () => {
  await assert.rejects(
    handler(
      { 'detail-type': 'Object Created', source: 'aws.s3', time: '2026-01-01T00:00:00Z' },
      lambdaContext,
    ),
    {
      name: 'UnexpectedEventError',
    },
  );
});
