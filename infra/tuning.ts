/**
 * SageMaker hyperparameter tuning. An object under `requests/tuning/` (optionally a JSON request that
 * narrows the space or the budget) emits an EventBridge "Object Created" event; a Lambda starts one
 * HyperparameterTuningJob over the training container (lambdas/tuning-trigger). Its trials run with the
 * Training construct's job role and image; the Promotion construct takes the tuning job's best trial.
 * The Lambda may create tuning jobs only under the stack's tuning-job prefix.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TRAINING_METRIC_DEFINITIONS } from '../src/contracts/metrics.js';
import { Alpha15Function } from './alpha15-function.js';
import { BUCKET_PREFIXES, TUNING_JOB_PREFIX } from '../src/contracts/keys.js';
import { acknowledgeBucketPrefixGrants, acknowledgeFindings, findingArn } from './nag.js';
import type { TrainingImage } from './training.js';

export interface TuningProps {
  bucket: s3.IBucket;
  image: TrainingImage;
  /** The role every trial runs with (the Training construct's job role). */
  jobRole: iam.IRole;
  symbols: readonly string[];
  instanceType: string;
  volumeSizeGb: number;
  maxRuntime: Duration;
  maxWait: Duration;
  lookbackDays: number;
  holdoutDays: number;
  maxJobs: number;
  maxParallelJobs: number;
  walkForwardFolds: number;
}

export class Tuning extends Construct {
  readonly trigger: Alpha15Function;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: TuningProps) {
    super(scope, id);
    if (props.maxParallelJobs > props.maxJobs)
      throw new Error('Tuning: maxParallelJobs cannot exceed maxJobs');
    if (props.holdoutDays >= props.lookbackDays)
      throw new Error('Tuning: holdoutDays must leave part of the lookback to tune on');
    const { account, region, partition } = Stack.of(this);

    this.trigger = new Alpha15Function(this, 'Trigger', {
      handler: 'tuning-trigger',
      description: 'Starts one SageMaker hyperparameter tuning job per tuning request',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: {
        BUCKET_NAME: props.bucket.bucketName,
        STORE_URL: `s3://${props.bucket.bucketName}`,
        SYMBOLS: props.symbols.join(','),
        JOB_ROLE_ARN: props.jobRole.roleArn,
        IMAGE_URI: props.image.imageUri,
        INSTANCE_TYPE: props.instanceType,
        VOLUME_SIZE_GB: String(props.volumeSizeGb),
        MAX_RUNTIME_SECONDS: String(props.maxRuntime.toSeconds()),
        MAX_WAIT_SECONDS: String(props.maxWait.toSeconds()),
        LOOKBACK_DAYS: String(props.lookbackDays),
        HOLDOUT_DAYS: String(props.holdoutDays),
        MAX_JOBS: String(props.maxJobs),
        MAX_PARALLEL_JOBS: String(props.maxParallelJobs),
        WALK_FORWARD_FOLDS: String(props.walkForwardFolds),
        TUNING_JOB_PREFIX,
        OUTPUT_PREFIX: BUCKET_PREFIXES.sagemakerOutput,
        METRIC_DEFINITIONS: JSON.stringify(TRAINING_METRIC_DEFINITIONS),
      },
      asyncInvocation: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
        failedEvent: 'a tuning request (no tuning job started)',
      },
    });
    props.bucket.grantRead(this.trigger.role, `${BUCKET_PREFIXES.tuningRequests}*`);
    const tuningJobs = `arn:${partition}:sagemaker:${region}:${account}:hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}*`;
    this.trigger.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateHyperParameterTuningJob', 'sagemaker:AddTags'],
        resources: [tuningJobs],
      }),
    );
    this.trigger.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [props.jobRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    acknowledgeBucketPrefixGrants(
      this.trigger.role,
      props.bucket,
      [BUCKET_PREFIXES.tuningRequests],
      'The trigger reads the tuning request objects, whose names the requester chooses.',
    );
    acknowledgeFindings(this.trigger.role, [
      {
        id: `AwsSolutions-IAM5[Resource::${findingArn(this, 'sagemaker', `hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}*`)}]`,
        reason:
          'Tuning jobs are named by the minute they start; the prefix limits the trigger to alpha15 tuning jobs.',
      },
    ]);

    this.rule = new events.Rule(this, 'TuningRequest', {
      description: 'alpha15: a tuning request starts a SageMaker tuning job',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: [{ prefix: BUCKET_PREFIXES.tuningRequests }] },
        },
      },
      targets: [
        new targets.LambdaFunction(this.trigger.function, {
          deadLetterQueue: this.trigger.failureQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }
}
