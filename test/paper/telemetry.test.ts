import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { reindex } from '../../src/paper/reindex.js';
import { tick } from '../../src/paper/tick.js';
import { JsonlSink } from '../../src/telemetry/jsonl-sink.js';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { MINUTE_MS } from '../../src/time.js';
import { startFakeOpenSearch } from '../support/fake-opensearch.js';
import { openBench, SNAPSHOT_C_START_MS, SYMBOLS } from './support/harness.js';

const FIRST_MINUTE_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;
const MINUTES = 30;

test('an OpenSearch outage never fails a tick, and reindex rebuilds the cluster from the ledger exactly', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const cluster = await startFakeOpenSearch();
  t.after(() => cluster.close());
  cluster.failNextBulkRequests = Number.POSITIVE_INFINITY;
  const sink = new OpenSearchSink({
    node: cluster.url,
    indexPrefix: 'alpha15',
    sleep: async () => {},
    maxAttempts: 2,
  });
  const deps = bench.deps({ sink });
  let telemetryFailed = 0;
  for (
    let minuteMs = FIRST_MINUTE_MS;
    minuteMs < FIRST_MINUTE_MS + MINUTES * MINUTE_MS;
    minuteMs += MINUTE_MS
  ) {
    const result = await tick(bench.nowAfter(minuteMs), deps);
    assert.equal(result.status, 'ok');
    telemetryFailed += result.outcome!.telemetryFailed;
  }
  assert.ok(telemetryFailed >= MINUTES * SYMBOLS.length, 'every prediction was kept back by the outage');
  assert.equal(cluster.documents.size, 0);

  cluster.failNextBulkRequests = 0;
  const result = await reindex({
    ledger: deps.ledger,
    sink,
    fromMs: FIRST_MINUTE_MS,
    toMs: FIRST_MINUTE_MS + MINUTES * MINUTE_MS,
  });
  assert.equal(result.failed, 0);
  const trades = await deps.ledger.listTrades(0, Infinity);
  const open = await deps.ledger.openPositions();
  assert.equal(cluster.documents.get('alpha15-predictions')?.size, MINUTES * SYMBOLS.length);
  assert.equal(cluster.documents.get('alpha15-ticks')?.size, MINUTES);
  assert.equal(cluster.documents.get('alpha15-trades')?.size, trades.length + open.length);
  for (const trade of trades) {
    const doc = cluster.documents.get('alpha15-trades')!.get(trade.tradeId)!;
    assert.equal(doc.status, 'closed');
    assert.equal(doc.netPnl, trade.netPnl);
    assert.equal(doc['@timestamp'], new Date(trade.exitTimeMs).toISOString());
  }

  // running it again overwrites the same documents: nothing is duplicated
  await reindex({
    ledger: deps.ledger,
    sink,
    fromMs: FIRST_MINUTE_MS,
    toMs: FIRST_MINUTE_MS + MINUTES * MINUTE_MS,
  });
  assert.equal(cluster.documents.get('alpha15-predictions')?.size, MINUTES * SYMBOLS.length);
});

test('the JSONL sink writes one line per record, one file per stream and day', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const dir = path.join(bench.dir, 'jsonl');
  const deps = bench.deps({ sink: new JsonlSink({ dir }) });
  for (
    let minuteMs = FIRST_MINUTE_MS;
    minuteMs < FIRST_MINUTE_MS + MINUTES * MINUTE_MS;
    minuteMs += MINUTE_MS
  )
    await tick(bench.nowAfter(minuteMs), deps);
  assert.deepEqual((await readdir(dir)).sort(), ['predictions', 'ticks', 'trades']);
  const lines = async (stream: string) =>
    (await readFile(path.join(dir, stream, '2021-12-22.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal((await lines('predictions')).length, MINUTES * SYMBOLS.length);
  assert.equal((await lines('ticks')).length, MINUTES);
  const trades = await deps.ledger.listTrades(0, Infinity);
  const closedLines = (await lines('trades')).filter((line) => line.status === 'closed');
  assert.deepEqual(closedLines.map((line) => line._id).sort(), trades.map((trade) => trade.tradeId).sort());
});
