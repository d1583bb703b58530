/**
 * Lambda: the backfill state machine's two tasks (see infra/backfill.ts). A Distributed Map item
 * `{symbol, month}` downloads that month's archive from the data site (checksum verified) and ingests
 * it; the closing `{settle: [symbols]}` task records in the watermarks every partition that parallel
 * items of one symbol may have overwritten each other's entry for. A failing item throws its typed error,
 * which the Map retries or records in its result file.
 */
import { z } from 'zod';
import { backfillItem, backfillItemSchema, finishBackfill } from '../../src/app/backfill.js';
import { symbolSchema } from '../../src/contracts/symbols.js';
import { composeFunction } from '../../src/app/compose.js';
import { functionEnvSchema, functionStoreUrlSchema } from '../../src/contracts/function-env.js';
import {
  ARCHIVE_RETRIES_METRIC,
  ARCHIVE_THROTTLED_RETRIES_METRIC,
  ROWS_ADDED_METRIC,
} from '../../src/contracts/metrics.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';

const env = parseEnv(
  functionEnvSchema({
    storeUrl: functionStoreUrlSchema,
    archiveBaseUrl: z.string().url(),
    requestTimeoutMs: z.coerce.number().int().positive().default(60_000),
  }),
);
const tools = createTools('backfill');
const { store } = composeFunction(env);

const eventSchema = z.union([backfillItemSchema, z.object({ settle: z.array(symbolSchema).min(1) })]);

export const handler = wrapHandler(tools, async (event) => {
  const task = parseEvent(eventSchema, event, 'a backfill item {symbol, month} or {settle: [symbols]}');
  if ('settle' in task) {
    const finished = await finishBackfill(store, task.settle, Date.now());
    tools.logger.info('watermarks settled, retrain requested', { ...finished });
    return finished;
  }
  const result = await backfillItem(task, {
    store,
    archiveBase: env.archiveBaseUrl,
    http: { timeoutMs: env.requestTimeoutMs },
  });
  tools.metrics.addMetric(ROWS_ADDED_METRIC, 'Count', result.rowsAdded);
  tools.metrics.addMetric(ARCHIVE_RETRIES_METRIC, 'Count', result.retries);
  tools.metrics.addMetric(ARCHIVE_THROTTLED_RETRIES_METRIC, 'Count', result.throttledRetries);
  tools.logger.info('backfill item', { ...result });
  return result;
});
