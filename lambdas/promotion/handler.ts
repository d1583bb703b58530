/** Lambda: SageMaker training job state change → champion promotion (see infra/promotion.ts). */
import { z } from 'zod';
import { openStore } from '../../src/store/open-store.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent, trainingJobStateChangeSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { promoteFinishedJob } from './promote.js';

const env = parseEnv(z.object({ STORE_URL: z.string().startsWith('s3://') }));
const tools = createTools('promotion');
const store = openStore(env.STORE_URL);

export const handler = wrapHandler(tools, async (event) => {
  const change = parseEvent(trainingJobStateChangeSchema, event, 'a SageMaker training job state change');
  const outcome = await promoteFinishedJob(change, { store, nowMs: Date.now() });
  tools.metrics.addMetric(outcome.promoted ? 'ModelsPromoted' : 'ModelsNotPromoted', 'Count', 1);
  tools.logger.info(outcome.promoted ? 'candidate promoted' : 'candidate not promoted', { ...outcome });
  return outcome;
});
