import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { STREAM_FIELDS } from '../../src/telemetry/index-templates.js';
import { TELEMETRY_STREAMS, type TelemetryRecord } from '../../src/telemetry/sink.js';
import { startFakeOpenSearch } from '../support/fake-opensearch.js';

const noSleep = async () => {};

function predictionRecords(count: number): TelemetryRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    stream: 'predictions' as const,
    id: `2021-12-22T1839Z-SYM${i}`,
    // the first prediction is exactly 0: the value that once made dynamic mapping choose `long`
    doc: {
      '@timestamp': '2021-12-22T18:39:00.000Z',
      symbol: `SYM${i}USDT`,
      prediction: i === 0 ? 0 : i * 1e-4,
      buyThreshold: 0.002,
      sellThreshold: -0.002,
    },
  }));
}

test('index templates are installed before the first document and map prices, predictions and PnL as double', async (t) => {
  const cluster = await startFakeOpenSearch();
  t.after(() => cluster.close());
  const sink = new OpenSearchSink({ node: cluster.url, indexPrefix: 'alpha15', sleep: noSleep });
  sink.write(predictionRecords(3));
  const report = await sink.flush();
  assert.deepEqual(report, { delivered: 3, failed: 0, errors: [] });
  const firstBulk = cluster.requests.indexOf('POST /_bulk');
  const templateWrites = cluster.requests
    .slice(0, firstBulk)
    .filter((request) => request.includes('/_index_template/'));
  assert.equal(
    templateWrites.length,
    TELEMETRY_STREAMS.length,
    'one template per stream before any bulk request',
  );
  const predictions = cluster.templates.get('alpha15-predictions')!;
  assert.deepEqual(predictions.index_patterns, ['alpha15-predictions*']);
  const properties = predictions.template.mappings.properties;
  for (const field of ['prediction', 'rawPrediction', 'buyThreshold', 'sellThreshold', 'close'])
    assert.equal(properties[field]?.type, 'double', field);
  assert.equal(properties['@timestamp']?.type, 'date');
  const trades = cluster.templates.get('alpha15-trades')!.template.mappings.properties;
  for (const field of [
    'entryPrice',
    'exitPrice',
    'prediction',
    'threshold',
    'fees',
    'grossPnl',
    'netPnl',
    'grossReturn',
    'netReturn',
  ]) {
    assert.equal(trades[field]?.type, 'double', field);
  }
  assert.equal(cluster.documents.get('alpha15-predictions')?.get('2021-12-22T1839Z-SYM0')?.prediction, 0);
});

test('every numeric field of every stream that is not a count is mapped as double', () => {
  for (const [stream, fields] of Object.entries(STREAM_FIELDS)) {
    for (const [field, type] of Object.entries(fields)) {
      if (/price|prediction|threshold|pnl|return|fee|notional/i.test(field) || field === 'close')
        assert.equal(type, 'double', `${stream}.${field}`);
    }
  }
});

test('a 503 on the bulk request is retried and the batch delivered', async (t) => {
  const cluster = await startFakeOpenSearch();
  t.after(() => cluster.close());
  cluster.failNextBulkRequests = 2;
  const sink = new OpenSearchSink({ node: cluster.url, indexPrefix: 'alpha15', sleep: noSleep });
  sink.write(predictionRecords(4));
  const report = await sink.flush();
  assert.equal(report.delivered, 4);
  assert.equal(report.failed, 0);
  assert.equal(cluster.requests.filter((request) => request === 'POST /_bulk').length, 3);
  assert.equal(cluster.documents.get('alpha15-predictions')?.size, 4);
});

test('partial bulk failures resend only the retryable documents and report the rejected one without throwing', async (t) => {
  const cluster = await startFakeOpenSearch();
  t.after(() => cluster.close());
  const records = predictionRecords(5);
  cluster.itemStatuses.set(records[1]!.id, [429, 503]); // overloaded twice, then accepted
  cluster.itemStatuses.set(records[3]!.id, [400]); // rejected for good: retrying cannot help
  const sink = new OpenSearchSink({ node: cluster.url, indexPrefix: 'alpha15', sleep: noSleep });
  sink.write(records);
  const report = await sink.flush();
  assert.equal(report.delivered, 4);
  assert.equal(report.failed, 1);
  assert.match(report.errors.join('\n'), /SYM3.*400 mapper_parsing_exception/);
  const stored = cluster.documents.get('alpha15-predictions')!;
  assert.deepEqual(
    [...stored.keys()].sort(),
    [records[0]!.id, records[1]!.id, records[2]!.id, records[4]!.id].sort(),
  );
  // attempt 1 sends 5, attempt 2 resends the one retryable, attempt 3 once more
  assert.equal(cluster.requests.filter((request) => request === 'POST /_bulk').length, 3);
});

test('an unreachable cluster fails the flush softly: every record is reported failed, nothing throws', async () => {
  const sink = new OpenSearchSink({
    node: 'http://127.0.0.1:9',
    indexPrefix: 'alpha15',
    sleep: noSleep,
    maxAttempts: 2,
  });
  sink.write(predictionRecords(2));
  const report = await sink.flush();
  assert.equal(report.delivered, 0);
  assert.equal(report.failed, 2);
  assert.match(report.errors[0]!, /attempt 1/);
});

test('a cluster that keeps answering 503 is tried maxAttempts times and the records are reported failed', async (t) => {
  const cluster = await startFakeOpenSearch();
  t.after(() => cluster.close());
  cluster.failNextBulkRequests = 10;
  const sink = new OpenSearchSink({
    node: cluster.url,
    indexPrefix: 'alpha15',
    sleep: noSleep,
    maxAttempts: 3,
  });
  sink.write(predictionRecords(2));
  const report = await sink.flush();
  assert.equal(report.failed, 2);
  assert.equal(cluster.requests.filter((request) => request === 'POST /_bulk').length, 3);
  assert.match(report.errors.join('\n'), /HTTP 503/);
});
