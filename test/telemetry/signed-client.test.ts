/**
 * The SigV4 client every caller of the stack's domain uses (Lambdas, and the CLI for an Amazon
 * OpenSearch Service URL), against the stand-in that recomputes each signature with the expected key.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { awsDomainRegion, signedOpenSearchClient } from '../../src/telemetry/signed-client.js';
import { putIndexTemplates } from '../../src/telemetry/opensearch-sink.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';

const CREDENTIALS = { accessKeyId: 'AKIAOPERATOR', secretAccessKey: 'operator-secret', region: 'eu-west-1' };
let domain: FakeOpenSearch;
const saved = { ...process.env };

before(async () => {
  domain = await startFakeOpenSearch({ requireSigV4: CREDENTIALS });
  // what the default credential chain reads first
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});
after(async () => {
  process.env = saved;
  await domain.close();
});

test('the region of an Amazon OpenSearch Service endpoint is read from its host; other URLs have none', () => {
  assert.equal(awsDomainRegion('https://search-alpha15-abcdefghijk.eu-west-1.es.amazonaws.com'), 'eu-west-1');
  assert.equal(awsDomainRegion('https://vpc-alpha15-abc.us-gov-west-1.es.amazonaws.com/'), 'us-gov-west-1');
  assert.equal(awsDomainRegion('https://search-a-b.cn-north-1.es.amazonaws.com.cn'), 'cn-north-1');
  assert.equal(awsDomainRegion('http://127.0.0.1:9200'), undefined);
  assert.equal(awsDomainRegion('https://user:pass@search.example.com/es.amazonaws.com'), undefined);
  assert.equal(awsDomainRegion('not a url'), undefined);
});

test('requests carry a signature the domain recomputes from the default credentials', async () => {
  const client = signedOpenSearchClient({ url: domain.url, region: 'eu-west-1', requestTimeoutMs: 5_000 });
  const names = await putIndexTemplates(client, 'alpha15');
  assert.deepEqual([...domain.templates.keys()].sort(), [...names].sort());
  assert.deepEqual(domain.refused, []);
});

test('a domain expecting another secret refuses the same requests', async (t) => {
  const other = await startFakeOpenSearch({ requireSigV4: { ...CREDENTIALS, secretAccessKey: 'rotated' } });
  t.after(() => other.close());
  const client = signedOpenSearchClient({ url: other.url, region: 'eu-west-1', requestTimeoutMs: 5_000 });
  await assert.rejects(
    putIndexTemplates(client, 'alpha15'),
    (error: { meta?: { statusCode?: number } }) => error.meta?.statusCode === 403,
  );
  assert.match(other.refused[0] ?? '', /the signature does not match/);
});
