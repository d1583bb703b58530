/** Lambda: the ingestion schedule (see infra/ingestion.ts). */
import { z } from 'zod';
import { loadConfig } from '../../src/config/load.js';
import { parseSourceSpec } from '../../src/market/source.js';
import { openStore } from '../../src/store/open-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { symbolListTextSchema } from '../../src/contracts/symbols.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent, scheduledEventSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { ingestLatest } from '../../src/app/ingest-latest.js';

const env = parseEnv(
  z.object({
    STORE_URL: z.string().startsWith('s3://'),
    SYMBOLS: symbolListTextSchema,
    LOOKBACK_MINUTES: z.coerce.number().int().positive(),
    MAX_BACKFILL_DAYS: z.coerce.number().positive().default(3),
  }),
);
const tools = createTools('ingest');
const store = openStore(env.STORE_URL);
// ALPHA15_BINANCE_BASE_URL (set by the construct) reaches Binance through the config, as in the paper tick
const source = parseSourceSpec(
  'binance',
  loadConfig({ flags: { store: env.STORE_URL, symbols: env.SYMBOLS } }),
);

export const handler = wrapHandler(tools, async (event) => {
  const scheduled = parseEvent(scheduledEventSchema, event, 'a scheduled event');
  const result = await ingestLatest(Date.parse(scheduled.time), {
    store,
    source,
    symbols: env.SYMBOLS,
    lookbackMinutes: env.LOOKBACK_MINUTES,
    maxBackfillMinutes: (env.MAX_BACKFILL_DAYS * DAY_MS) / MINUTE_MS,
  });
  tools.metrics.addMetric('RowsAdded', 'Count', result.rowsAdded);
  const missing = Object.values(result.symbols).reduce((sum, symbolResult) => sum + symbolResult.missing, 0);
  tools.metrics.addMetric('MinutesMissing', 'Count', missing);
  tools.logger.info('ingested', { toMs: result.toMs, rowsAdded: result.rowsAdded, missing });
  return { toMs: result.toMs, rowsAdded: result.rowsAdded, missing };
});
