/**
 * Lambda: the daily ledger compaction (see infra/ledger-compaction.ts). Rolls every finished, not yet
 * compacted UTC day of the paper ledger into the Parquet partitions of the Athena tables; the same use
 * case as `alpha15 ledger compact`.
 */
import { compactLedger } from '../../src/app/compact-ledger.js';
import { composeFunction } from '../../src/app/compose.js';
import { functionEnvSchema, functionStoreUrlSchema } from '../../src/contracts/function-env.js';
import { FILES_WRITTEN_METRIC, LEDGER_FILES_DAMAGED_METRIC } from '../../src/contracts/metrics.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent, scheduledEventSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';

const env = parseEnv(functionEnvSchema({ storeUrl: functionStoreUrlSchema }));
const tools = createTools('ledger-compaction');
// ALPHA15_HORIZON_MINUTES tunes the horizon like the paper tick's config
const { store, config } = composeFunction(env);

export const handler = wrapHandler(tools, async (event) => {
  const scheduled = parseEvent(scheduledEventSchema, event, 'a scheduled event');
  const result = await compactLedger({
    store,
    horizonMinutes: config.horizonMinutes,
    nowMs: () => Date.parse(scheduled.time),
  });
  tools.metrics.addMetric(FILES_WRITTEN_METRIC, 'Count', result.written);
  tools.metrics.addMetric(LEDGER_FILES_DAMAGED_METRIC, 'Count', result.damaged);
  const damage = result.days.flatMap((day) => day.damage ?? []);
  if (damage.length > 0) tools.logger.error('ledger compaction found damage', { damage });
  tools.logger.info('ledger compacted', {
    fromDay: result.fromDay,
    toDay: result.toDay,
    lastFinishedDay: result.lastFinishedDay,
    written: result.written,
    unchanged: result.unchanged,
  });
  return {
    fromDay: result.fromDay,
    toDay: result.toDay,
    written: result.written,
    unchanged: result.unchanged,
    damaged: result.damaged,
  };
});
