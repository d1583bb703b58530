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
import { openStore } from '../../src/store/open-store.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';

const env = parseEnv(
  z.object({
    STORE_URL: z.string().startsWith('s3://'),
    ARCHIVE_BASE_URL: z.string().url(),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  }),
);
const tools = createTools('backfill');
const store = openStore(env.STORE_URL);

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
    archiveBase: env.ARCHIVE_BASE_URL,
    http: { timeoutMs: env.REQUEST_TIMEOUT_MS },
  });
  tools.metrics.addMetric('RowsAdded', 'Count', result.rowsAdded);
  tools.metrics.addMetric('ArchiveRetries', 'Count', result.retries);
  tools.metrics.addMetric('ArchiveThrottledRetries', 'Count', result.throttledRetries);
  tools.logger.info('backfill item', { ...result });
  return result;
});
