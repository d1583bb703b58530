/**
 * Lambda: a run record written under runs/ (S3 → EventBridge) → its document in the `<prefix>-runs`
 * OpenSearch index behind the "alpha15 studies" dashboard (see infra/runs-indexing.ts). The same use
 * case and document as `alpha15 runs reindex`; a redelivered event overwrites the same document.
 */
import { z } from 'zod';
import { indexRunRecord } from '../../src/app/index-run.js';
import { openStore } from '../../src/store/open-store.js';
import { parseEnv } from '../shared/env.js';
import { objectCreatedEventSchema, parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { lambdaTelemetrySink } from '../shared/telemetry-sink.js';

const env = parseEnv(
  z.object({
    STORE_URL: z.string().startsWith('s3://'),
    OPENSEARCH_URL: z.string().url(),
    INDEX_PREFIX: z.string().min(1),
  }),
);
const tools = createTools('runs-indexer');
const store = openStore(env.STORE_URL);
// module scope: a warm container installs the index templates once
const sink = lambdaTelemetrySink({
  url: env.OPENSEARCH_URL,
  indexPrefix: env.INDEX_PREFIX,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
});

export const handler = wrapHandler(tools, async (event) => {
  const created = parseEvent(objectCreatedEventSchema, event, 'an S3 Object Created event');
  const indexed = await indexRunRecord({ store, sink, key: created.detail.object.key });
  tools.metrics.addMetric('RunsIndexed', 'Count', 1);
  tools.logger.info('run indexed', { key: created.detail.object.key, ...indexed });
  return indexed;
});
