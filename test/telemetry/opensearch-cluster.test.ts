/**
 * Opt-in: the OpenSearch sink against a real cluster (a local OpenSearch, LocalStack's, or a domain
 * reachable without signing). Set OPENSEARCH_URL to run it; without it the test is skipped, loudly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@opensearch-project/opensearch';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';

const url = process.env.OPENSEARCH_URL;

test('against a real cluster, the first prediction of 0 still leaves `prediction` mapped as double', async (t) => {
  if (!url) {
    console.error(
      '\n*** SKIPPING the real-cluster OpenSearch test: set OPENSEARCH_URL (e.g. http://localhost:9200) to run it ***\n',
    );
    t.skip('OPENSEARCH_URL is not set');
    return;
  }
  const prefix = `alpha15-test-${Date.now()}`;
  const client = new Client({ node: url });
  t.after(async () => {
    await client.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
    for (const stream of ['predictions', 'trades', 'ticks'])
      await client.indices.deleteIndexTemplate({ name: `${prefix}-${stream}` }).catch(() => undefined);
  });
  const sink = new OpenSearchSink({ node: url, indexPrefix: prefix });
  sink.write([
    {
      stream: 'predictions',
      id: 'a',
      doc: {
        '@timestamp': '2021-12-22T18:39:00.000Z',
        symbol: 'BTCUSDT',
        prediction: 0,
        buyThreshold: 0,
        sellThreshold: 0,
      },
    },
    {
      stream: 'predictions',
      id: 'b',
      doc: {
        '@timestamp': '2021-12-22T18:40:00.000Z',
        symbol: 'BTCUSDT',
        prediction: 0.00123,
        buyThreshold: 0.002,
        sellThreshold: -0.002,
      },
    },
  ]);
  const report = await sink.flush();
  assert.deepEqual(report, { delivered: 2, failed: 0, errors: [] });
  const mapping = (await client.indices.getMapping({ index: `${prefix}-predictions` })).body as Record<
    string,
    { mappings: { properties: Record<string, { type: string }> } }
  >;
  const properties = Object.values(mapping)[0]!.mappings.properties;
  assert.equal(properties.prediction?.type, 'double');
  assert.equal(properties['@timestamp']?.type, 'date');
});
