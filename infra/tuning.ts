/**
 * SageMaker hyperparameter tuning. An object under `requests/tuning/` (optionally a JSON request that
 * narrows the space or the budget) emits an EventBridge "Object Created" event; a Lambda starts one
 * HyperparameterTuningJob over the training container (lambdas/tuning-trigger). Its trials run with the
 * Training construct's job role and image; the Promotion construct takes the tuning job's best trial.
 * The Lambda may create tuning jobs only under the stack's tuning-job prefix.
 */
import { Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Alpha15Function } from './alpha15-function.js';
import { BUCKET_PREFIXES, TUNING_JOB_PREFIX } from '../src/contracts/keys.js';
import { acknowledgeFindings, findingArn } from './nag.js';
import { objectCreatedRule } from './object-created-rule.js';
import { jobTrigger, type JobSpec } from './sagemaker-job-trigger.js';

export interface TuningProps extends JobSpec {
  /** The role every trial runs with (the Training construct's job role). */
  jobRole: iam.IRole;
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

    this.trigger = jobTrigger(this, 'Trigger', {
      handler: 'tuning-trigger',
      description: 'Starts one SageMaker hyperparameter tuning job per tuning request',
      job: props,
      jobRole: props.jobRole,
      environment: {
        TUNING_JOB_PREFIX,
        HOLDOUT_DAYS: String(props.holdoutDays),
        MAX_JOBS: String(props.maxJobs),
        MAX_PARALLEL_JOBS: String(props.maxParallelJobs),
        WALK_FORWARD_FOLDS: String(props.walkForwardFolds),
      },
      requestPrefix: BUCKET_PREFIXES.tuningRequests,
      requestReadReason: 'The trigger reads the tuning request objects, whose names the requester chooses.',
      failedEvent: 'a tuning request (no tuning job started)',
    });
    const tuningJobs = `arn:${partition}:sagemaker:${region}:${account}:hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}*`;
    this.trigger.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateHyperParameterTuningJob', 'sagemaker:AddTags'],
        resources: [tuningJobs],
      }),
    );
    acknowledgeFindings(this.trigger.role, [
      {
        id: `AwsSolutions-IAM5[Resource::${findingArn(this, 'sagemaker', `hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}*`)}]`,
        reason:
          'Tuning jobs are named by the minute they start; the prefix limits the trigger to alpha15 tuning jobs.',
      },
    ]);

    this.rule = objectCreatedRule(this, 'TuningRequest', {
      bucket: props.bucket,
      prefixes: [BUCKET_PREFIXES.tuningRequests],
      handler: this.trigger,
      description: 'alpha15: a tuning request starts a SageMaker tuning job',
    });
  }
}
