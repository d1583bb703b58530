import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { indexRunRecord, RunIndexingError } from '../../src/app/index-run.js';
import { runKey } from '../../src/runs/run-record.js';
import { InvalidRunRecordError, recordRun, RunNotFoundError } from '../../src/runs/runs-index.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { tempStore } from '../support/model-fixtures.js';
import { trialRun } from '../support/run-fixtures.js';

let store: LocalStore;
let cleanup: () => Promise<void>;
let cluster: FakeOpenSearch;
before(async () => {
  ({ store, cleanup } = await tempStore());
  cluster = await startFakeOpenSearch();
});
after(async () => {
  await cluster.close();
  await cleanup();
});

const sink = () =>
  new OpenSearchSink({ node: cluster.url, indexPrefix: 'alpha15', maxAttempts: 2, sleep: async () => {} });
const bulkRequests = () => cluster.requests.filter((request) => request === 'POST /_bulk').length;

test('a written run record becomes one document under its run id; the same event delivered again adds none', async () => {
  const run = await recordRun(store, trialRun(4, 1e-3));
  const indexed = await indexRunRecord({ store, sink: sink(), key: runKey(run.id) });
  assert.deepEqual(indexed, { runId: run.id, kind: 'tune-trial', study: 'study-a' });
  const documents = cluster.documents.get('alpha15-runs')!;
  assert.deepEqual([...documents.keys()], [run.id]);
  assert.equal(documents.get(run.id)!.valIc, 0.04);

  // a redelivery, by a fresh container (its own sink), overwrites the same document
  await indexRunRecord({ store, sink: sink(), key: runKey(run.id) });
  assert.deepEqual([...cluster.documents.get('alpha15-runs')!.keys()], [run.id]);
});

test('objects under runs/ that are not run records are refused before anything is sent', async () => {
  const before = bulkRequests();
  await store.put('runs/notes.txt', 'hello');
  await assert.rejects(indexRunRecord({ store, sink: sink(), key: 'runs/notes.txt' }), InvalidRunRecordError);

  const corruptKey = runKey('20260301T000000Z-train-0badc0de');
  await store.put(corruptKey, '{"formatVersion": 1, "id": "20260301T000000Z-train-0badc0de"');
  await assert.rejects(indexRunRecord({ store, sink: sink(), key: corruptKey }), /is not JSON/);

  const run = await recordRun(store, trialRun(2, 1e-3));
  const invalidKey = runKey('20260301T000000Z-train-00c0ffee');
  await store.put(
    invalidKey,
    JSON.stringify({ ...run, id: '20260301T000000Z-train-00c0ffee', epochs: undefined }),
  );
  await assert.rejects(indexRunRecord({ store, sink: sink(), key: invalidKey }), /not a run record: epochs/);

  // a record copied under another run's key would overwrite that run's document
  const copiedKey = runKey('20260301T000000Z-train-00000001');
  await store.put(copiedKey, JSON.stringify(run));
  await assert.rejects(
    indexRunRecord({ store, sink: sink(), key: copiedKey }),
    (error: unknown) =>
      error instanceof InvalidRunRecordError &&
      error.message.includes(`holds run ${run.id}`) &&
      error.data.reason === 'id-mismatch' &&
      error.data.runId === run.id,
  );

  await assert.rejects(
    indexRunRecord({ store, sink: sink(), key: runKey('20260301T000000Z-train-00000002') }),
    RunNotFoundError,
  );
  assert.equal(bulkRequests(), before, 'nothing reached OpenSearch');
});

test('a cluster that refuses the document fails the call, so the event is retried instead of acknowledged', async () => {
  const run = await recordRun(store, trialRun(6, 1e-3));
  cluster.failNextBulkRequests = 2;
  await assert.rejects(
    indexRunRecord({ store, sink: sink(), key: runKey(run.id) }),
    (error: unknown) => error instanceof RunIndexingError && error.message.includes(run.id),
  );
  assert.equal(cluster.documents.get('alpha15-runs')!.has(run.id), false);
  // the retry (the cluster answers again) indexes it
  await indexRunRecord({ store, sink: sink(), key: runKey(run.id) });
  assert.equal(cluster.documents.get('alpha15-runs')!.has(run.id), true);
});
