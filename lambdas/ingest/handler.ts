/** Lambda: the ingestion schedule (see infra/ingestion.ts). */
import { z } from 'zod';
import { composeFunction } from '../../src/app/compose.js';
import { functionEnvSchema, functionStoreUrlSchema } from '../../src/contracts/function-env.js';
import { MINUTES_MISSING_METRIC, ROWS_ADDED_METRIC } from '../../src/contracts/metrics.js';
import { parseSourceSpec } from '../../src/market/source.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { symbolListTextSchema } from '../../src/contracts/symbols.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent, scheduledEventSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { ingestLatest } from '../../src/app/ingest-latest.js';

const env = parseEnv(
  functionEnvSchema({
    storeUrl: functionStoreUrlSchema,
    symbols: symbolListTextSchema,
    lookbackMinutes: z.coerce.number().int().positive(),
    maxBackfillDays: z.coerce.number().positive().default(3),
  }),
);
const tools = createTools('ingest');
// the construct's binanceBaseUrl reaches Binance through the config, as in the paper tick
const { store, config } = composeFunction(env);
const source = parseSourceSpec('binance', config);

export const handler = wrapHandler(tools, async (event) => {
  const scheduled = parseEvent(scheduledEventSchema, event, 'a scheduled event');
  const result = await ingestLatest(Date.parse(scheduled.time), {
    store,
    source,
    symbols: env.symbols,
    lookbackMinutes: env.lookbackMinutes,
    maxBackfillMinutes: (env.maxBackfillDays * DAY_MS) / MINUTE_MS,
  });
  tools.metrics.addMetric(ROWS_ADDED_METRIC, 'Count', result.rowsAdded);
  const missing = Object.values(result.symbols).reduce((sum, symbolResult) => sum + symbolResult.missing, 0);
  tools.metrics.addMetric(MINUTES_MISSING_METRIC, 'Count', missing);
  tools.logger.info('ingested', { toMs: result.toMs, rowsAdded: result.rowsAdded, missing });
  return { toMs: result.toMs, rowsAdded: result.rowsAdded, missing };
});
