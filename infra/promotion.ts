/**
 * Promotion: when a training job reaches a final state, SageMaker emits a "Training Job State Change"
 * event; a Lambda loads the candidate's validation metrics from the registry, compares them with the
 * champion's on the same validation window and moves `models/champion.json` only when the candidate
 * is better. Failed or stopped jobs are recorded and never promoted.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Alpha15Function } from './alpha15-function.js';
import { BUCKET_PREFIXES, TRAINING_JOB_PREFIX } from '../src/contracts/keys.js';
import { acknowledgeBucketPrefixGrants } from './nag.js';

export interface PromotionProps {
  bucket: s3.IBucket;
  /** Reserve one execution (the `reservedConcurrency` setting); see Alpha15FunctionProps. */
  reserveConcurrency?: boolean;
}

export class Promotion extends Construct {
  readonly handler: Alpha15Function;
  readonly rule: events.Rule;

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
      environment: { STORE_URL: `s3://${props.bucket.bucketName}`, TRAINING_JOB_PREFIX },
      asyncInvocation: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        failedEvent: 'a training-job state change (a finished job left unevaluated)',
      },
    });
    props.bucket.grantReadWrite(this.handler.role, `${BUCKET_PREFIXES.models}*`);
    acknowledgeBucketPrefixGrants(
      this.handler.role,
      props.bucket,
      [BUCKET_PREFIXES.models],
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
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          deadLetterQueue: this.handler.failureQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }
}
