/** The job settings both trigger tests start from, and the environment their deployed handlers read. */
import { TRAINING_METRIC_DEFINITIONS } from '../../../src/contracts/metrics.js';
import {
  sageMakerJobEnvironment,
  type SageMakerJobSettings,
} from '../../../src/contracts/sagemaker-job-env.js';

export const JOB_SETTINGS: Omit<SageMakerJobSettings, 'jobPrefix'> = {
  bucketName: 'alpha15-lake',
  storeUrl: 's3://alpha15-lake',
  symbols: ['BTCUSDT', 'ETHUSDT'],
  jobRoleArn: 'arn:aws:iam::123456789012:role/alpha15-job',
  imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpha15:latest',
  instanceType: 'ml.g4dn.xlarge',
  volumeSizeGb: 30,
  maxRuntimeSeconds: 4 * 3600,
  maxWaitSeconds: 8 * 3600,
  lookbackDays: 90,
  outputPrefix: 'sagemaker/output/',
  metricDefinitions: TRAINING_METRIC_DEFINITIONS,
  region: 'eu-west-1',
};

/**
 * What a handler module reads at import: the variables its construct sets (the shared job settings and
 * the trigger's own), the runtime's region, and Powertools kept quiet.
 */
export function setHandlerEnvironment(settings: SageMakerJobSettings, own: Record<string, string>): void {
  Object.assign(process.env, {
    ...sageMakerJobEnvironment(settings),
    ...own,
    AWS_REGION: settings.region,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
}
