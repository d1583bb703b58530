/**
 * The settings every SageMaker job of the stack is built from, as the environment of the training and
 * tuning triggers: the construct writes it (infra/sagemaker-job-trigger.ts, `sageMakerJobEnvironment`),
 * the handlers read it back (`sageMakerJobEnvSchema`, `sageMakerJobSettings`). One owner of these
 * variable names, so the stack and the Lambdas cannot spell them apart.
 */
import { z } from 'zod';
import type { MetricDefinition } from './metrics.js';
import { AWS_REGION_ENV_VARIABLE, FUNCTION_ENV_VARIABLES } from './environment.js';
import { symbolListTextSchema } from './symbols.js';

export interface SageMakerJobSettings {
  bucketName: string;
  storeUrl: string;
  symbols: readonly string[];
  jobRoleArn: string;
  imageUri: string;
  instanceType: string;
  volumeSizeGb: number;
  maxRuntimeSeconds: number;
  maxWaitSeconds: number;
  lookbackDays: number;
  jobPrefix: string;
  outputPrefix: string;
  metricDefinitions: MetricDefinition[];
  /** The region of the bucket and the jobs, passed into every job's environment. */
  region: string;
}

const positiveInt = z.coerce.number().int().positive();

/** SageMaker metric definitions, passed by the construct as a JSON array of { Name, Regex }. */
const metricDefinitionsSchema = z
  .string()
  .transform((text) => JSON.parse(text) as unknown)
  .pipe(z.array(z.object({ Name: z.string(), Regex: z.string() })));

/** The environment variables both triggers read (the constructs write them with `sageMakerJobEnvironment`). */
export const sageMakerJobEnvSchema = z.object({
  BUCKET_NAME: z.string().min(3),
  [FUNCTION_ENV_VARIABLES.storeUrl]: z.string().startsWith('s3://'),
  [FUNCTION_ENV_VARIABLES.symbols]: symbolListTextSchema,
  JOB_ROLE_ARN: z.string().startsWith('arn:'),
  IMAGE_URI: z.string().min(1),
  INSTANCE_TYPE: z.string().startsWith('ml.'),
  VOLUME_SIZE_GB: positiveInt,
  MAX_RUNTIME_SECONDS: positiveInt,
  MAX_WAIT_SECONDS: positiveInt,
  LOOKBACK_DAYS: positiveInt,
  OUTPUT_PREFIX: z.string().min(1),
  METRIC_DEFINITIONS: metricDefinitionsSchema,
  // set by the Lambda runtime; every job gets it too, so its S3 client signs for the bucket's region
  [AWS_REGION_ENV_VARIABLE]: z.string().min(1),
});
export type SageMakerJobEnv = z.infer<typeof sageMakerJobEnvSchema>;
/** The variables a construct sets (the Lambda runtime sets AWS_REGION). */
export type SageMakerJobEnvVariable = Exclude<keyof SageMakerJobEnv, typeof AWS_REGION_ENV_VARIABLE>;

/** The settings as the construct writes them into the trigger's environment: the inverse of the above. */
export function sageMakerJobEnvironment(
  settings: Omit<SageMakerJobSettings, 'jobPrefix' | 'region'>,
): Record<SageMakerJobEnvVariable, string> {
  return {
    BUCKET_NAME: settings.bucketName,
    [FUNCTION_ENV_VARIABLES.storeUrl]: settings.storeUrl,
    [FUNCTION_ENV_VARIABLES.symbols]: settings.symbols.join(','),
    JOB_ROLE_ARN: settings.jobRoleArn,
    IMAGE_URI: settings.imageUri,
    INSTANCE_TYPE: settings.instanceType,
    VOLUME_SIZE_GB: String(settings.volumeSizeGb),
    MAX_RUNTIME_SECONDS: String(settings.maxRuntimeSeconds),
    MAX_WAIT_SECONDS: String(settings.maxWaitSeconds),
    LOOKBACK_DAYS: String(settings.lookbackDays),
    OUTPUT_PREFIX: settings.outputPrefix,
    METRIC_DEFINITIONS: JSON.stringify(settings.metricDefinitions),
  };
}

export function sageMakerJobSettings(env: SageMakerJobEnv, jobPrefix: string): SageMakerJobSettings {
  return {
    bucketName: env.BUCKET_NAME,
    storeUrl: env[FUNCTION_ENV_VARIABLES.storeUrl],
    symbols: env[FUNCTION_ENV_VARIABLES.symbols],
    jobRoleArn: env.JOB_ROLE_ARN,
    imageUri: env.IMAGE_URI,
    instanceType: env.INSTANCE_TYPE,
    volumeSizeGb: env.VOLUME_SIZE_GB,
    maxRuntimeSeconds: env.MAX_RUNTIME_SECONDS,
    maxWaitSeconds: env.MAX_WAIT_SECONDS,
    lookbackDays: env.LOOKBACK_DAYS,
    jobPrefix,
    outputPrefix: env.OUTPUT_PREFIX,
    metricDefinitions: env.METRIC_DEFINITIONS,
    region: env[AWS_REGION_ENV_VARIABLE],
  };
}
