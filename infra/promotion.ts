/**
 * Promotion: when a training job reaches a final state, SageMaker emits a "Training Job State Change"
 * event; a Lambda loads the candidate's validation metrics from the registry, compares them with the
 * champion's on the same validation window and moves `models/champion.json` only when the candidate
 * is better. Failed or stopped jobs are recorded and never promoted. A tuning job's trials carry
 * another prefix and are not matched; when the tuning job completes, its best training job is.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Alpha15Function } from './alpha15-function.js';
import {
  BUCKET_PREFIXES,
  CHAMPION_HISTORY_PREFIX,
  CHAMPION_KEY,
  PROMOTIONS_PREFIX,
  TRAINING_JOB_PREFIX,
  TUNING_JOB_PREFIX,
} from '../src/contracts/keys.js';
import { grantBucketAccess } from './bucket-grants.js';
import { acknowledgeFindings, findingArn } from './nag.js';
import { functionEnvironment } from '../src/contracts/function-env.js';

export interface PromotionProps {
  bucket: s3.IBucket;
  /** Reserve one execution (the `reservedConcurrency` setting); see Alpha15FunctionProps. */
  reserveConcurrency?: boolean;
}

export class Promotion extends Construct {
  readonly handler: Alpha15Function;
  readonly rule: events.Rule;
  /** A completed tuning job: its best training job is promoted like any other. */
  readonly tuningRule: events.Rule;

  constructor(scope: Construct, id: string, props: PromotionProps) {
    super(scope, id);
    this.handler = new Alpha15Function(this, 'Promote', {
      handler: 'promotion',
      description: 'Promotes a finished training job to champion when it beats the champion',
      timeout: Duration.seconds(60),
      memorySize: 512,
      // Two promotions race only when two jobs finish together, which the trigger's one-job-at-a-time
      // rule prevents; the reservation (a setting) makes it impossible at the price of account quota.
      reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
      environment: functionEnvironment({
        storeUrl: `s3://${props.bucket.bucketName}`,
        trainingJobPrefix: TRAINING_JOB_PREFIX,
      }),
      asyncInvocation: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        failedEvent: 'a training- or tuning-job state change (a finished job left unevaluated)',
      },
    });
    // it moves the pointer and records its decision; it never writes into a model directory or deletes
    grantBucketAccess(
      props.bucket,
      this.handler.role,
      {
        read: [`${BUCKET_PREFIXES.models}*`],
        // a redelivered event decides again and rewrites its record; the history keeps every promotion once
        write: [CHAMPION_KEY, `${PROMOTIONS_PREFIX}*`],
        create: [`${CHAMPION_HISTORY_PREFIX}*`],
      },
      'Promotion reads candidate and champion metrics and moves the champion pointer, all under the models prefix.',
    );
    this.rule = new events.Rule(this, 'JobFinished', {
      description: 'alpha15: a training job finished',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Training Job State Change'],
        detail: {
          TrainingJobName: [{ prefix: TRAINING_JOB_PREFIX }],
          TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
        },
      },
      targets: [this.target()],
    });
    this.tuningRule = new events.Rule(this, 'TuningJobFinished', {
      description: 'alpha15: a tuning job completed; its best training job is the candidate',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker HyperParameter Tuning Job State Change'],
        detail: {
          HyperParameterTuningJobName: [{ prefix: TUNING_JOB_PREFIX }],
          HyperParameterTuningJobStatus: ['Completed'],
        },
      },
      targets: [this.target()],
    });
    const { account, region, partition } = Stack.of(this);
    this.handler.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:DescribeHyperParameterTuningJob'],
        resources: [
          `arn:${partition}:sagemaker:${region}:${account}:hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}*`,
        ],
      }),
    );
    acknowledgeFindings(this.handler.role, [
      {
        id: `AwsSolutions-IAM5[Resource::${findingArn(this, 'sagemaker', `hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}*`)}]`,
        reason:
          'Promotion describes only alpha15 tuning jobs, named by their start minute under this prefix.',
      },
    ]);
  }

  private target(): targets.LambdaFunction {
    return new targets.LambdaFunction(this.handler.function, {
      deadLetterQueue: this.handler.failureQueue,
      retryAttempts: 4,
      maxEventAge: Duration.hours(6),
    });
  }
}
