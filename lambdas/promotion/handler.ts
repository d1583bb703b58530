/**
 * Lambda: a SageMaker training job state change, or a finished tuning job (its best training job), →
 * champion promotion (see infra/promotion.ts).
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { composeFunction } from '../../src/app/compose.js';
import { functionEnvSchema, functionStoreUrlSchema } from '../../src/contracts/function-env.js';
import { MODELS_NOT_PROMOTED_METRIC, MODELS_PROMOTED_METRIC } from '../../src/contracts/metrics.js';
import { parseEnv } from '../shared/env.js';
import { parseEvent, trainingJobStateChangeSchema, tuningJobStateChangeSchema } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { bestTrialAsJobChange } from './best-trial.js';
import { promoteFinishedJob } from '../../src/app/promote-finished-job.js';

const env = parseEnv(functionEnvSchema({ storeUrl: functionStoreUrlSchema }));
const tools = createTools('promotion');
const { store } = composeFunction(env);
const sagemaker = new SageMakerClient({ maxAttempts: 5 });

export const handler = wrapHandler(tools, async (event) => {
  const tuning = tuningJobStateChangeSchema.safeParse(event);
  const change = tuning.success
    ? await bestTrialAsJobChange(tuning.data, sagemaker)
    : parseEvent(trainingJobStateChangeSchema, event, 'a SageMaker training or tuning job state change');
  if ('skipped' in change) {
    tools.logger.info('no candidate to promote', { detail: change.skipped });
    return { promoted: false, reason: 'no-candidate', detail: change.skipped };
  }
  const { TrainingJobName: jobName, TrainingJobStatus: status, FailureReason: failureReason } = change.detail;
  const outcome = await promoteFinishedJob({ jobName, status, failureReason }, { store, nowMs: Date.now() });
  tools.metrics.addMetric(outcome.promoted ? MODELS_PROMOTED_METRIC : MODELS_NOT_PROMOTED_METRIC, 'Count', 1);
  tools.logger.info(outcome.promoted ? 'candidate promoted' : 'candidate not promoted', {
    ...outcome,
    ...(tuning.success && { tuningJobName: tuning.data.detail.HyperParameterTuningJobName }),
  });
  return outcome;
});
