/**
 * Lambda: one paper-trading tick per scheduled minute (see infra/paper-trading.ts). Everything costly
 * lives at module scope and survives between invocations of a warm container: the store client, and the
 * champion model, which the loader fetches from S3 once and reloads only when the pointer moves. The
 * tick's adapters come from `composeFunction` and its dependencies from `paperTickDeps`, as for
 * `alpha15 paper`; `paperTick` is the use case both run, the rule without a champion included.
 */
import { z } from 'zod';
import { composeFunction } from '../../src/app/compose.js';
import { composeSink } from '../../src/app/compose-telemetry.js';
import { paperTick, paperTickDeps } from '../../src/app/paper-tick.js';
import { functionEnvSchema, functionStoreUrlSchema } from '../../src/contracts/function-env.js';
import { symbolListTextSchema } from '../../src/contracts/symbols.js';
import { parseEnv } from '../shared/env.js';
import {
  LEDGER_QUARANTINE_METRIC,
  POSITIONS_CLOSED_METRIC,
  POSITIONS_OPENED_METRIC,
  TICK_COMPLETED_METRIC,
  TICKS_WITHOUT_CHAMPION_METRIC,
} from '../../src/contracts/metrics.js';
import { parseEvent, scheduledEventSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';

const env = parseEnv(
  functionEnvSchema({
    storeUrl: functionStoreUrlSchema,
    symbols: symbolListTextSchema,
    opensearchUrl: z.string().url().optional(),
    indexPrefix: z.string().default('alpha15'),
  }),
);
const tools = createTools('paper-tick');
// ALPHA15_* variables (e.g. ALPHA15_STRATEGY__FEE_RATE_PER_SIDE) tune the strategy like the CLI's config;
// the tick must finish inside its minute: short requests, one retry
const adapters = composeFunction(env, { binance: { timeoutMs: 8_000, maxRetries: 2 } });
// the composition `alpha15 paper` and the replay use; only the clock (the schedule) and the sink differ
const deps = paperTickDeps({
  ...adapters,
  sink: composeSink(adapters, { requestTimeoutMs: 5_000, maxAttempts: 2 }),
  log: (message) => tools.logger.info(message),
});

export const handler = wrapHandler(tools, async (event) => {
  const scheduled = parseEvent(scheduledEventSchema, event, 'a scheduled event');
  const result = await paperTick(Date.parse(scheduled.time), deps);
  if (result.status === 'no-champion') {
    // a fresh deployment trades nothing until the first training job has produced a champion
    tools.metrics.addMetric(TICKS_WITHOUT_CHAMPION_METRIC, 'Count', 1);
    tools.logger.warn('no champion model yet: tick skipped');
    return { status: result.status };
  }
  tools.metrics.addMetric(TICK_COMPLETED_METRIC, 'Count', 1);
  tools.metrics.addMetric(POSITIONS_OPENED_METRIC, 'Count', result.opened.length);
  tools.metrics.addMetric(POSITIONS_CLOSED_METRIC, 'Count', result.closed.length);
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
