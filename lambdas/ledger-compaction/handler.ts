/**
 * Lambda: the daily ledger compaction (see infra/ledger-compaction.ts). Rolls every finished, not yet
 * compacted UTC day of the paper ledger into the Parquet partitions of the Athena tables; the same use
 * case as `alpha15 ledger compact`.
 */
import { compactLedger } from '../../src/app/compact-ledger.js';
import { LEDGER_FILES_DAMAGED_METRIC } from '../../src/contracts/metrics.js';
import { loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/store/open-store.js';
import { z } from 'zod';
import { parseEnv } from '../shared/env.js';
import { parseEvent, scheduledEventSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';

const env = parseEnv(z.object({ STORE_URL: z.string().startsWith('s3://') }));
const tools = createTools('ledger-compaction');
// ALPHA15_HORIZON_MINUTES tunes the horizon like the paper tick's config
const config = loadConfig({ flags: { store: env.STORE_URL } });
const store = openStore(env.STORE_URL);

export const handler = wrapHandler(tools, async (event) => {
  const scheduled = parseEvent(scheduledEventSchema, event, 'a scheduled event');
  const result = await compactLedger({
    store,
    horizonMinutes: config.horizonMinutes,
    nowMs: () => Date.parse(scheduled.time),
  });
  tools.metrics.addMetric('FilesWritten', 'Count', result.written);
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
