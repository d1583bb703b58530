/**
 * SageMaker hyperparameter tuning. An object under `requests/tuning/` (optionally a JSON request that
 * narrows the space or the budget) emits an EventBridge "Object Created" event; a Lambda starts one
 * HyperparameterTuningJob over the training container (lambdas/tuning-trigger). Its trials run with the
 * Training construct's job role and image; the Promotion construct takes the tuning job's best trial.
 * The Lambda may create tuning jobs only under the stack's tuning-job prefix.
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Alpha15Function } from './alpha15-function.js';
import { BUCKET_PREFIXES, TUNING_JOB_PREFIX } from '../src/contracts/keys.js';
import { functionEnvironment } from '../src/contracts/function-env.js';
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
  /** Told at once when a tuning job fails or is stopped, or one of its trials fails. */
  alarmTopic: sns.ITopic;
}

export class Tuning extends Construct {
  readonly trigger: Alpha15Function;
  readonly rule: events.Rule;
  /** SageMaker tuning-job state Failed or Stopped, for alpha15 tuning jobs. */
  readonly jobFailedRule: events.Rule;
  /** Training-job state Failed, for the trials of alpha15 tuning jobs. */
  readonly trialFailedRule: events.Rule;

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
      environment: functionEnvironment({
        tuningJobPrefix: TUNING_JOB_PREFIX,
        holdoutDays: props.holdoutDays,
        maxJobs: props.maxJobs,
        maxParallelJobs: props.maxParallelJobs,
        walkForwardFolds: props.walkForwardFolds,
      }),
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

    // Promotion only acts on a Completed tuning job: without these, a failed search tells nobody.
    this.jobFailedRule = new events.Rule(this, 'JobFailed', {
      description: 'alpha15: a tuning job failed or was stopped',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker HyperParameter Tuning Job State Change'],
        detail: {
          HyperParameterTuningJobName: [{ prefix: TUNING_JOB_PREFIX }],
          HyperParameterTuningJobStatus: ['Failed', 'Stopped'],
        },
      },
      targets: [
        notify(
          props.alarmTopic,
          'tuning job',
          '$.detail.HyperParameterTuningJobName',
          '$.detail.HyperParameterTuningJobStatus',
        ),
      ],
    });
    // Trials are training jobs named after their tuning job. Stopped trials are left out: early
    // stopping (Auto) stops the unpromising ones by design, and a stopped search is reported above.
    this.trialFailedRule = new events.Rule(this, 'TrialFailed', {
      description: 'alpha15: a tuning trial failed',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Training Job State Change'],
        detail: { TrainingJobName: [{ prefix: TUNING_JOB_PREFIX }], TrainingJobStatus: ['Failed'] },
      },
      targets: [
        notify(props.alarmTopic, 'tuning trial', '$.detail.TrainingJobName', '$.detail.TrainingJobStatus'),
      ],
    });
  }
}

/** An SNS message naming the job, its status and SageMaker's failure reason. */
function notify(topic: sns.ITopic, what: string, namePath: string, statusPath: string): targets.SnsTopic {
  return new targets.SnsTopic(topic, {
    message: events.RuleTargetInput.fromText(
      `alpha15 ${what} ${events.EventField.fromPath(namePath)} is ` +
        `${events.EventField.fromPath(statusPath)}: ${events.EventField.fromPath('$.detail.FailureReason')}`,
    ),
  });
}
