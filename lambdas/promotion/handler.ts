/**
 * Lambda: a SageMaker training job state change, or a finished tuning job (its best training job), →
 * champion promotion (src/app/promote-finished-job.ts; see infra/promotion.ts).
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { composeFunction } from '../../src/app/compose.js';
import { functionEnvSchema, functionStoreUrlSchema } from '../../src/contracts/function-env.js';
import { MODELS_NOT_PROMOTED_METRIC, MODELS_PROMOTED_METRIC } from '../../src/contracts/metrics.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent, trainingJobStateChangeSchema, tuningJobStateChangeSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { sageMakerTuningJobResults } from '../../src/aws/sagemaker-best-trial.js';
import { promoteBestTrial, promoteFinishedJob } from '../../src/app/promote-finished-job.js';

const env = parseEnv(functionEnvSchema({ storeUrl: functionStoreUrlSchema }));
const tools = createTools('promotion');
const { store } = composeFunction(env);
const results = sageMakerTuningJobResults(new SageMakerClient({ maxAttempts: 5 }));

/** A tuning job's end goes to its best trial's promotion, a training job's end to its own. */
async function promote(event: unknown, nowMs: number) {
  const tuning = tuningJobStateChangeSchema.safeParse(event);
  if (tuning.success) {
    const { HyperParameterTuningJobName: tuningJobName, HyperParameterTuningJobStatus: status } =
      tuning.data.detail;
    return promoteBestTrial({ tuningJobName, status }, { store, nowMs, results });
  }
  const change = parseEvent(
    trainingJobStateChangeSchema,
    event,
    'a SageMaker training or tuning job state change',
  );
  const { TrainingJobName: jobName, TrainingJobStatus: status, FailureReason: failureReason } = change.detail;
  return promoteFinishedJob({ jobName, status, failureReason }, { store, nowMs });
}

export const handler = wrapHandler(tools, async (event) => {
  const outcome = await promote(event, Date.now());
  if (!outcome.promoted && outcome.reason === 'no-candidate') {
    tools.logger.info('no candidate to promote', { ...outcome });
    return outcome;
  }
  tools.metrics.addMetric(outcome.promoted ? MODELS_PROMOTED_METRIC : MODELS_NOT_PROMOTED_METRIC, 'Count', 1);
  tools.logger.info(outcome.promoted ? 'candidate promoted' : 'candidate not promoted', { ...outcome });
  return outcome;
});
