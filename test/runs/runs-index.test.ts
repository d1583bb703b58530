import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { configHash, runKey, RUNS_PREFIX } from '../../src/runs/run-record.js';
import {
  getRuns,
  InvalidRunRecordError,
  listRuns,
  recordRun,
  RunNotFoundError,
} from '../../src/runs/runs-index.js';
import { configDifferences, formatRunComparison, formatRunList } from '../../src/runs/runs-text.js';
import { indexRuns } from '../../src/runs/runs-telemetry.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { startFakeOpenSearch } from '../support/fake-opensearch.js';
import { tempStore } from '../support/model-fixtures.js';
import { trialRun } from '../support/run-fixtures.js';

let store: LocalStore;
let cleanup: () => Promise<void>;
before(async () => ({ store, cleanup } = await tempStore()));
after(() => cleanup());

test('twenty runs recorded at once all land, one object each, listed in start order', async () => {
  const written = await Promise.all(
    Array.from({ length: 20 }, (_, index) => recordRun(store, trialRun(index, 1e-3 * (index + 1)))),
  );
  assert.equal(new Set(written.map((run) => run.id)).size, 20);
  const keys = await store.list(RUNS_PREFIX);
  assert.deepEqual(keys, written.map((run) => runKey(run.id)).sort());
  const listed = await listRuns(store);
  assert.deepEqual(
    listed.map((run) => run.startedAtMs),
    written.map((run) => run.startedAtMs),
  );
  assert.ok(Number.isNaN(listed[0]!.final.testIc), 'an undefined metric survives the JSON round trip as NaN');
  assert.equal(listed[3]!.configHash, configHash(listed[3]!.config));
  assert.notEqual(listed[3]!.configHash, listed[4]!.configHash);
});

test('filters by kind, study and limit; unknown ids and bad records are refused with nothing stored', async () => {
  await recordRun(store, { ...trialRun(30, 0.5), kind: 'backtest', study: null, epochs: [] });
  assert.equal((await listRuns(store, { kind: 'backtest' })).length, 1);
  assert.equal((await listRuns(store, { study: 'study-a' })).length, 20);
  assert.deepEqual(
    (await listRuns(store, { kind: 'tune-trial', limit: 2 })).map((run) => run.final.valIc),
    [0.18, 0.19],
  );
  await assert.rejects(getRuns(store, ['20260301T000000Z-train-00000000']), RunNotFoundError);
  const before = (await store.list(RUNS_PREFIX)).length;
  await assert.rejects(recordRun(store, { ...trialRun(1, 1e-3), durationMs: -5 }), InvalidRunRecordError);
  assert.equal((await store.list(RUNS_PREFIX)).length, before);
});

test('a comparison lines up final metrics and shows only the config settings that differ', async () => {
  const [first, second] = await listRuns(store, { study: 'study-a', limit: 2 });
  const runs = await getRuns(store, [first!.id, second!.id]);
  assert.deepEqual(configDifferences(runs), { 'training.learningRate': ['0.019', '0.02'] });
  const text = formatRunComparison(runs);
  assert.match(text, /valIc\s+0\.1800\s+0\.1900/);
  assert.match(text, /training\.learningRate\s+0\.019\s+0\.02/);
  assert.match(formatRunList(runs, store.url), /tune-trial\s+completed\s+study-a/);
});

test('the recorded runs index into OpenSearch as one document per run (same id, so a re-index duplicates nothing)', async (t) => {
  const cluster = await startFakeOpenSearch();
  t.after(() => cluster.close());
  const sink = new OpenSearchSink({ node: cluster.url, indexPrefix: 'alpha15', sleep: async () => {} });
  const first = await indexRuns(store, sink, { study: 'study-a' });
  assert.deepEqual(first, { runs: 20, delivered: 20, failed: 0, errors: [] });
  await indexRuns(store, sink, { study: 'study-a' });
  const documents = cluster.documents.get('alpha15-runs')!;
  assert.equal(documents.size, 20);
  const [run] = await listRuns(store, { study: 'study-a', limit: 1 });
  const doc = documents.get(run!.id)!;
  assert.equal(doc.study, 'study-a');
  assert.equal(doc.kind, 'tune-trial');
  assert.equal(doc.valIc, run!.final.valIc);
  assert.ok(!('testIc' in doc), 'an undefined metric is left out, not sent as null');
  assert.equal(cluster.templates.get('alpha15-runs')!.template.mappings.properties.valIc!.type, 'double');
});

test('a run record keeps no URL password in the stored object the runs indexer reads', async () => {
  const run = trialRun(40, 1e-3);
  const config = { ...run.config, telemetry: { opensearchUrl: 'https://admin:hunter2@search.example.com' } };
  const record = await recordRun(store, { ...run, config });
  const stored = new TextDecoder().decode(await store.get(runKey(record.id)));
  assert.ok(!stored.includes('hunter2'));
  assert.match(stored, /"https:\/\/\*\*\*@search\.example\.com"/);
  assert.equal(record.configHash, configHash((JSON.parse(stored) as { config: unknown }).config));
});
