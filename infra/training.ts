/**
 * S3-triggered retraining. New curated data (ingestion's partitions) or any object under
 * `requests/training/` emits an EventBridge "Object Created" event; a Lambda with concurrency 1 checks
 * SageMaker for a job in progress and the minimum retrain interval, then starts one managed-spot GPU
 * training job with checkpoints. The job runs training-container/ and saves the candidate model into
 * the registry; the Promotion construct takes it from there.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Alpha15Function } from './alpha15-function.js';
import {
  BUCKET_PREFIXES,
  MODEL_ID_IAM_GLOB,
  MODELS_PREFIX,
  RETRAIN_PENDING_KEY,
  TRAINING_JOB_PREFIX,
  TUNING_JOB_PREFIX,
  TRAINING_JOBS_PREFIX,
  WATERMARKS_PREFIX,
} from '../src/contracts/keys.js';
import { RUNS_PREFIX, runIdIamPrefix } from '../src/runs/run-record.js';
import { grantBucketAccess } from './bucket-grants.js';
import { acknowledgeFindings, findingArn } from './nag.js';
import { TRAINING_METRIC_DEFINITIONS, TRAINING_QUOTA_EXCEEDED_METRIC } from '../src/contracts/metrics.js';
import { countAlarm } from './count-alarm.js';
import { objectCreatedRule } from './object-created-rule.js';
import { functionEnvironment } from '../src/contracts/function-env.js';
import { jobTrigger, type JobSpec } from './sagemaker-job-trigger.js';

export { TRAINING_METRIC_DEFINITIONS };

export interface TrainingProps extends JobSpec {
  retrainMinInterval: Duration;
  /** Fewer days of lake data than this within the lookback: no retrain. */
  minDays: number;
  /** Reserve one execution (the `reservedConcurrency` setting); see Alpha15FunctionProps. */
  reserveConcurrency?: boolean;
  /** Told at once when a training job fails or is stopped. */
  alarmTopic: sns.ITopic;
}

export class Training extends Construct {
  readonly trigger: Alpha15Function;
  readonly rule: events.Rule;
  /** The role SageMaker assumes inside the training job. */
  readonly jobRole: iam.Role;
  /** SageMaker training-job state Failed or Stopped, for alpha15 jobs. */
  readonly jobFailedRule: events.Rule;
  /** How many alpha15 training jobs failed or were stopped (the rule's TriggeredRules). */
  readonly jobsFailedMetric: cloudwatch.Metric;
  /** The end of a training job: a retrain asked for while it ran starts now. */
  readonly jobEndedRule: events.Rule;
  /** SageMaker refused a retrain for want of instance quota (named in the description). */
  readonly quotaAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TrainingProps) {
    super(scope, id);
    if (props.maxWait.toSeconds() < props.maxRuntime.toSeconds()) {
      throw new Error('Training: maxWait must be at least maxRuntime (SageMaker managed spot rule)');
    }
    this.jobRole = trainingJobRole(this, props);
    this.trigger = retrainTrigger(this, props, this.jobRole);
    // One request per ingestion run or backfill (requests/new-data/), never one per partition: a
    // run rewrites a partition per symbol, and each would have started (or failed to start) a job.
    this.rule = objectCreatedRule(this, 'NewDataOrRequest', {
      bucket: props.bucket,
      prefixes: [BUCKET_PREFIXES.newDataRequests, BUCKET_PREFIXES.trainingRequests],
      handler: this.trigger,
      description: 'alpha15: a new-data or training request starts a retrain',
    });
    this.jobEndedRule = jobEndedRule(this, this.trigger);
    this.quotaAlarm = quotaAlarm(this, props.instanceType);
    this.jobFailedRule = jobFailedRule(this, props.alarmTopic);
    this.jobsFailedMetric = new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.jobFailedRule.ruleName },
      statistic: 'Sum',
      period: Duration.hours(1),
    });
  }
}

/**
 * The role SageMaker assumes inside the job. The job reads the lake and the registry (it scores the
 * champion on its own window) but writes only objects it names itself: models/<its model id>/, its job
 * record and its run record. It can never write models/champion.json: only the promotion step moves the
 * champion. A model directory is write-once: every file in it is a conditional create, so no job
 * replaces another model's weights. SageMaker itself uploads the output and syncs the spot checkpoints
 * with this role.
 */
function trainingJobRole(scope: Training, props: TrainingProps): iam.Role {
  const { account, region, partition } = Stack.of(scope);
  const jobRole = new iam.Role(scope, 'JobRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'alpha15 SageMaker training job',
  });
  grantBucketAccess(
    props.bucket,
    jobRole,
    {
      read: [`${BUCKET_PREFIXES.curated}*`, `${BUCKET_PREFIXES.models}*`, `${BUCKET_PREFIXES.checkpoints}*`],
      create: [`${MODELS_PREFIX}${MODEL_ID_IAM_GLOB}/*`],
      write: [
        `${TRAINING_JOBS_PREFIX}${TRAINING_JOB_PREFIX}*`,
        // the trials of a tuning job record themselves under their own job names
        `${TRAINING_JOBS_PREFIX}${TUNING_JOB_PREFIX}*`,
        `${RUNS_PREFIX}${runIdIamPrefix('train')}*`,
        // a tuning trial records itself as a trial of its tuning job's study
        `${RUNS_PREFIX}${runIdIamPrefix('tune-trial')}*`,
        `${BUCKET_PREFIXES.sagemakerOutput}*`,
        `${BUCKET_PREFIXES.checkpoints}*`,
      ],
    },
    'The job reads the lake and the registry; it writes only its own model directory, job record and run record (train or tune-trial, by id pattern), its output and its spot checkpoints.',
  );
  props.image.repository.grantPull(jobRole);
  jobRole.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
      ],
      resources: [`arn:${partition}:logs:${region}:${account}:log-group:/aws/sagemaker/TrainingJobs:*`],
    }),
  );
  jobRole.addToPolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*'] } },
    }),
  );
  acknowledgeFindings(jobRole, [
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no resource scope; PutMetricData is limited to the SageMaker namespaces by condition.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${findingArn(scope, 'logs', 'log-group:/aws/sagemaker/TrainingJobs:*')}]`,
      reason:
        'SageMaker writes one log stream per job into this fixed log group; the streams are named at run time.',
    },
  ]);
  return jobRole;
}

/**
 * The Lambda that starts a training job: it may create alpha15 jobs only, counts the lake's days
 * (watermarks) and keeps the retrain asked for while a job runs.
 */
function retrainTrigger(scope: Training, props: TrainingProps, jobRole: iam.Role): Alpha15Function {
  const { account, region, partition } = Stack.of(scope);
  const trigger = jobTrigger(scope, 'Trigger', {
    handler: 'training-trigger',
    description: 'Starts one SageMaker training job on new curated data or a training request',
    job: props,
    jobRole,
    // Unreserved, two events in one minute get the same job name and SageMaker refuses the second
    // (ResourceInUse); across minutes the in-progress check leaves a window of one API round trip.
    // The reservation (a setting) closes it at the price of account quota.
    reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
    environment: functionEnvironment({
      trainingJobPrefix: TRAINING_JOB_PREFIX,
      retrainMinIntervalSeconds: props.retrainMinInterval.toSeconds(),
      trainingMinDays: props.minDays,
      requestPrefix: BUCKET_PREFIXES.trainingRequests,
      newDataPrefix: BUCKET_PREFIXES.newDataRequests,
      checkpointPrefix: BUCKET_PREFIXES.checkpoints,
    }),
    requestPrefix: BUCKET_PREFIXES.trainingRequests,
    requestReadReason: 'The trigger reads the training request objects, whose names the requester chooses.',
    failedEvent: 'a new-data or training-request event (no retrain started)',
  });
  trigger.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:CreateTrainingJob', 'sagemaker:AddTags'],
      resources: [`arn:${partition}:sagemaker:${region}:${account}:training-job/${TRAINING_JOB_PREFIX}*`],
    }),
  );
  trigger.role.addToPolicy(
    // SageMaker's List actions support no resource-level scoping
    new iam.PolicyStatement({ actions: ['sagemaker:ListTrainingJobs'], resources: ['*'] }),
  );
  acknowledgeFindings(trigger.role, [
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sagemaker:ListTrainingJobs supports no resource-level scope.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${findingArn(scope, 'sagemaker', `training-job/${TRAINING_JOB_PREFIX}*`)}]`,
      reason: 'Jobs are named by the minute they start; the prefix limits the trigger to alpha15 jobs.',
    },
  ]);
  grantBucketAccess(
    props.bucket,
    trigger.role,
    { read: [`${WATERMARKS_PREFIX}*`, RETRAIN_PENDING_KEY], write: [RETRAIN_PENDING_KEY] },
    'The trigger reads the per-symbol watermarks to refuse a retrain on too little data, and keeps the retrain asked for while a job runs.',
  );
  return trigger;
}

/** The end of any alpha15 training job invokes the trigger again: a retrain asked for meanwhile starts. */
function jobEndedRule(scope: Training, trigger: Alpha15Function): events.Rule {
  return new events.Rule(scope, 'JobEnded', {
    description: 'alpha15: a training job ended; a retrain asked for meanwhile starts',
    eventPattern: trainingJobStatePattern(['Completed', 'Failed', 'Stopped']),
    targets: [
      new targets.LambdaFunction(trigger.function, {
        deadLetterQueue: trigger.failureQueue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    ],
  });
}

/** SageMaker refused a retrain for want of instance quota: the alarm names the quota and where to ask. */
function quotaAlarm(scope: Training, instanceType: string): cloudwatch.Alarm {
  const quota = `"${instanceType} for spot training job usage"`;
  return countAlarm(scope, 'QuotaAlarm', {
    description:
      `alpha15 retraining is blocked: SageMaker refused a job for want of the quota ${quota}. ` +
      `Request it in Service Quotas: https://${Stack.of(scope).region}.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas`,
    metricName: TRAINING_QUOTA_EXCEEDED_METRIC,
    service: 'training-trigger',
    period: Duration.hours(1),
  });
}

/** A failed job otherwise only reaches promotion, which records it and returns: nobody is told. */
function jobFailedRule(scope: Training, alarmTopic: sns.ITopic): events.Rule {
  return new events.Rule(scope, 'JobFailed', {
    description: 'alpha15: a training job failed or was stopped',
    eventPattern: trainingJobStatePattern(['Failed', 'Stopped']),
    targets: [
      new targets.SnsTopic(alarmTopic, {
        message: events.RuleTargetInput.fromText(
          `alpha15 training job ${events.EventField.fromPath('$.detail.TrainingJobName')} is ` +
            `${events.EventField.fromPath('$.detail.TrainingJobStatus')}: ` +
            `${events.EventField.fromPath('$.detail.FailureReason')}`,
        ),
      }),
    ],
  });
}

/** SageMaker's state change of an alpha15 training job into one of these states. */
function trainingJobStatePattern(statuses: string[]): events.EventPattern {
  return {
    source: ['aws.sagemaker'],
    detailType: ['SageMaker Training Job State Change'],
    detail: { TrainingJobName: [{ prefix: TRAINING_JOB_PREFIX }], TrainingJobStatus: statuses },
  };
}
