/**
 * Lambda: a run record written under runs/ (S3 → EventBridge) → its document in the `<prefix>-runs`
 * OpenSearch index behind the "alpha15 studies" dashboard (see infra/runs-indexing.ts). The same use
 * case and document as `alpha15 runs reindex`; a redelivered event overwrites the same document.
 */
import { z } from 'zod';
import { indexRunRecord } from '../../src/app/index-run.js';
import { composeFunction } from '../../src/app/compose.js';
import { composeSink } from '../../src/app/compose-telemetry.js';
import { functionEnvSchema, functionStoreUrlSchema } from '../../src/contracts/function-env.js';
import { RUNS_INDEXED_METRIC } from '../../src/contracts/metrics.js';
import { parseEnv } from '../shared/env.js';
import { objectCreatedEventSchema, parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';

const env = parseEnv(
  functionEnvSchema({
    storeUrl: functionStoreUrlSchema,
    opensearchUrl: z.string().url(),
    indexPrefix: z.string().min(1),
  }),
);
const tools = createTools('runs-indexer');
// module scope: a warm container installs the index templates once
const adapters = composeFunction(env);
const { store } = adapters;
const sink = composeSink(adapters, { requestTimeoutMs: 10_000, maxAttempts: 3 });

export const handler = wrapHandler(tools, async (event) => {
  const created = parseEvent(objectCreatedEventSchema, event, 'an S3 Object Created event');
  const indexed = await indexRunRecord({ store, sink, key: created.detail.object.key });
  tools.metrics.addMetric(RUNS_INDEXED_METRIC, 'Count', 1);
  tools.logger.info('run indexed', { key: created.detail.object.key, ...indexed });
  return indexed;
});
