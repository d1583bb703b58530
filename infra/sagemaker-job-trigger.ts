/**
 * What the training and tuning constructs share: a small Lambda that turns an S3 event into one
 * SageMaker job over the training image. It gets the job settings in the environment its handler parses
 * (src/contracts/sagemaker-job-env.ts: one function writes the variables, one schema reads them), reads only
 * its request prefix, and may pass only the job role, to SageMaker only. Where its events go on failure:
 * two Lambda retries, then its failure queue (alarmed).
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { BUCKET_PREFIXES } from '../src/contracts/keys.js';
import { TRAINING_METRIC_DEFINITIONS } from '../src/contracts/metrics.js';
import { sageMakerJobEnvironment } from '../src/contracts/sagemaker-job-env.js';
import { Alpha15Function } from './alpha15-function.js';
import { grantBucketAccess } from './bucket-grants.js';

export interface TrainingImage {
  imageUri: string;
  repository: ecr.IRepository;
}

/** How every job of the stack runs: image, role, universe, instance, limits and lookback. */
export interface JobSpec {
  bucket: s3.IBucket;
  image: TrainingImage;
  symbols: readonly string[];
  instanceType: string;
  volumeSizeGb: number;
  maxRuntime: Duration;
  /** Managed spot: time to wait for capacity plus run time; at least `maxRuntime`. */
  maxWait: Duration;
  lookbackDays: number;
}

export interface JobTriggerProps {
  handler: 'training-trigger' | 'tuning-trigger';
  description: string;
  job: JobSpec;
  /** The role SageMaker assumes inside the job; the trigger may pass only this one. */
  jobRole: iam.IRole;
  /** The trigger's own variables beside the job settings. */
  environment: Record<string, string>;
  /** The prefix of the request objects the trigger reads, and why it may. */
  requestPrefix: string;
  requestReadReason: string;
  /** What a failed event means, for the failure alarm. */
  failedEvent: string;
  reservedConcurrentExecutions?: number;
}

export function jobTrigger(scope: Construct, id: string, props: JobTriggerProps): Alpha15Function {
  const { job } = props;
  const trigger = new Alpha15Function(scope, id, {
    handler: props.handler,
    description: props.description,
    timeout: Duration.seconds(30),
    memorySize: 256,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    environment: {
      ...sageMakerJobEnvironment({
        bucketName: job.bucket.bucketName,
        storeUrl: `s3://${job.bucket.bucketName}`,
        symbols: job.symbols,
        jobRoleArn: props.jobRole.roleArn,
        imageUri: job.image.imageUri,
        instanceType: job.instanceType,
        volumeSizeGb: job.volumeSizeGb,
        maxRuntimeSeconds: job.maxRuntime.toSeconds(),
        maxWaitSeconds: job.maxWait.toSeconds(),
        lookbackDays: job.lookbackDays,
        outputPrefix: BUCKET_PREFIXES.sagemakerOutput,
        metricDefinitions: TRAINING_METRIC_DEFINITIONS,
      }),
      ...props.environment,
    },
    asyncInvocation: { retryAttempts: 2, maxEventAge: Duration.hours(2), failedEvent: props.failedEvent },
  });
  grantBucketAccess(job.bucket, trigger.role, { read: [`${props.requestPrefix}*`] }, props.requestReadReason);
  trigger.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [props.jobRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
  );
  return trigger;
}
