/**
 * Lambda: one paper-trading tick per scheduled minute (see infra/paper-trading.ts). Everything costly
 * lives at module scope and survives between invocations of a warm container: the store client, and the
 * champion model, which the loader fetches from S3 once and reloads only when the pointer moves. The
 * tick's dependencies come from `paperTickDeps`, the one composition `alpha15 paper` uses too.
 */
import { z } from 'zod';
import { loadConfig } from '../../src/config/load.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import { getChampion } from '../../src/model/registry.js';
import { paperTickDeps } from '../../src/app/paper-tick.js';
import { tick } from '../../src/paper/tick.js';
import { openStore } from '../../src/store/open-store.js';
import { symbolListTextSchema } from '../../src/contracts/symbols.js';
import { parseEnv } from '../shared/env.js';
import { LEDGER_QUARANTINE_METRIC, TICK_COMPLETED_METRIC } from '../../src/contracts/metrics.js';
import { parseEvent, scheduledEventSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { lambdaTelemetrySink } from '../shared/telemetry-sink.js';

const env = parseEnv(
  z.object({
    STORE_URL: z.string().startsWith('s3://'),
    SYMBOLS: symbolListTextSchema,
    OPENSEARCH_URL: z.string().url().optional(),
    INDEX_PREFIX: z.string().default('alpha15'),
  }),
);
const tools = createTools('paper-tick');
// ALPHA15_* variables (e.g. ALPHA15_STRATEGY__FEE_RATE_PER_SIDE) tune the strategy like the CLI's config
const config = loadConfig({ flags: { store: env.STORE_URL, symbols: env.SYMBOLS } });
const store = openStore(env.STORE_URL);
// the composition `alpha15 paper` and the replay use; only the clock (the schedule) and the sink differ
const deps = paperTickDeps({
  store,
  config,
  binance: new BinanceClient({ baseUrl: config.binanceBaseUrl, timeoutMs: 8_000, maxRetries: 2 }),
  // the tick must finish inside its minute: short requests, one retry
  sink: lambdaTelemetrySink({
    url: env.OPENSEARCH_URL,
    indexPrefix: env.INDEX_PREFIX,
    requestTimeoutMs: 5_000,
    maxAttempts: 2,
  }),
  log: (message) => tools.logger.info(message),
});

export const handler = wrapHandler(tools, async (event) => {
  const scheduled = parseEvent(scheduledEventSchema, event, 'a scheduled event');
  if ((await getChampion(store)) === undefined) {
    // a fresh deployment trades nothing until the first training job has produced a champion
    tools.metrics.addMetric('TicksWithoutChampion', 'Count', 1);
    tools.logger.warn('no champion model yet: tick skipped');
    return { status: 'no-champion' as const };
  }
  const result = await tick(Date.parse(scheduled.time), deps);
  tools.metrics.addMetric(TICK_COMPLETED_METRIC, 'Count', 1);
  tools.metrics.addMetric('PositionsOpened', 'Count', result.opened.length);
  tools.metrics.addMetric('PositionsClosed', 'Count', result.closed.length);
  const quarantined = result.outcome?.quarantined ?? [];
  tools.metrics.addMetric(LEDGER_QUARANTINE_METRIC, 'Count', quarantined.length);
  if (quarantined.length > 0) tools.logger.error('corrupt ledger objects quarantined', { keys: quarantined });
  tools.logger.info('tick', {
    minuteMs: result.minuteMs,
    status: result.status,
    opened: result.opened.length,
    closed: result.closed.length,
  });
  return {
    minuteMs: result.minuteMs,
    status: result.status,
    opened: result.opened.length,
    closed: result.closed.length,
    quarantined: quarantined.length,
  };
});
