import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TRAINING_JOB_PREFIX, TUNING_JOB_PREFIX } from '../../src/contracts/keys.js';
import { Promotion } from '../../infra/promotion.js';
import { Tuning, type TuningProps } from '../../infra/tuning.js';
import { TRAINING_METRIC_DEFINITIONS } from '../../src/contracts/metrics.js';
import {
  assertJobTriggerGrants,
  constructStack,
  objectCreatedPattern,
  policyStatements,
  roleStatements,
  unscopedActions,
} from './support.js';

const { stack, lake } = constructStack();
const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'alpha15-training');
const jobRole = new iam.Role(stack, 'JobRole', {
  assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
});
const props: TuningProps = {
  bucket: lake.bucket,
  image: { imageUri: `${repository.repositoryUri}:latest`, repository },
  jobRole,
  symbols: ['BTCUSDT', 'ETHUSDT'],
  instanceType: 'ml.g5.xlarge',
  volumeSizeGb: 30,
  maxRuntime: Duration.hours(4),
  maxWait: Duration.hours(8),
  lookbackDays: 90,
  holdoutDays: 14,
  maxJobs: 20,
  maxParallelJobs: 2,
  walkForwardFolds: 3,
  alarmTopic: new sns.Topic(stack, 'Alarms'),
};
new Tuning(stack, 'Tuning', props);
new Promotion(stack, 'Promotion', { bucket: lake.bucket });
const template = Template.fromStack(stack);

test('the tuning trigger may create tuning jobs only under the stack prefix, and pass only the job role', () => {
  const statements = roleStatements(template, 'TuningTriggerRole');
  assert.deepEqual(unscopedActions(statements), [], 'nothing on Resource "*"');
  const create = statements.filter((statement) =>
    [statement.Action].flat().includes('sagemaker:CreateHyperParameterTuningJob'),
  );
  assert.equal(create.length, 1);
  assert.deepEqual(create[0]!.Resource, {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        `:sagemaker:eu-west-1:123456789012:hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}*`,
      ],
    ],
  });
  assert.ok(
    policyStatements(template)
      .filter((statement) => [statement.Action].flat().includes('sagemaker:CreateHyperParameterTuningJob'))
      .every(
        (statement) => statement === create[0] || JSON.stringify(statement) === JSON.stringify(create[0]),
      ),
    'no other role may create tuning jobs',
  );
  assertJobTriggerGrants(statements, /JobRole/, 'requests/tuning/');
});

test('a tuning request object reaches the trigger, which carries the budget settings and the metric regexes', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: objectCreatedPattern(['requests/tuning/']),
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TuningTrigger'), 'Arn'] } })],
  });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        MAX_JOBS: '20',
        MAX_PARALLEL_JOBS: '2',
        HOLDOUT_DAYS: '14',
        WALK_FORWARD_FOLDS: '3',
        TUNING_JOB_PREFIX,
        METRIC_DEFINITIONS: JSON.stringify(TRAINING_METRIC_DEFINITIONS),
      }),
    },
  });
});

test("a completed tuning job's best trial goes to promotion; its trials alone never match the training-job rule", () => {
  assert.ok(
    !TUNING_JOB_PREFIX.startsWith(TRAINING_JOB_PREFIX),
    'trial names must not match the training-job rule',
  );
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker HyperParameter Tuning Job State Change'],
      detail: {
        HyperParameterTuningJobName: [{ prefix: TUNING_JOB_PREFIX }],
        HyperParameterTuningJobStatus: ['Completed'],
      },
    },
  });
  const describe = roleStatements(template, 'PromotionPromoteRole').find(
    (statement) => statement.Action === 'sagemaker:DescribeHyperParameterTuningJob',
  )!;
  assert.match(
    JSON.stringify(describe.Resource),
    new RegExp(`hyper-parameter-tuning-job/${TUNING_JOB_PREFIX}\\*`),
  );
});

test('a budget that runs more jobs at once than in total, or holds out the whole lookback, is refused', () => {
  const other = constructStack();
  const repo = ecr.Repository.fromRepositoryName(other.stack, 'Repo', 'x');
  const role = new iam.Role(other.stack, 'R', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
  });
  const base = {
    ...props,
    bucket: other.lake.bucket,
    image: { imageUri: 'x', repository: repo },
    jobRole: role,
  };
  assert.throws(() => new Tuning(other.stack, 'A', { ...base, maxParallelJobs: 30 }), /maxParallelJobs/);
  assert.throws(() => new Tuning(other.stack, 'B', { ...base, holdoutDays: 90 }), /holdoutDays/);
});

test('a failed or stopped tuning job, and a failed trial, tell the alarm topic at once, naming the job and the reason', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
    Properties: {
      EventPattern: { 'detail-type': string[]; detail: Record<string, unknown> };
      Targets: { Arn: { Ref: string }; InputTransformer?: { InputTemplate: string } }[];
    };
  }[];
  const toAlarms = (detailType: string) =>
    rules.filter(
      (rule) =>
        rule.Properties.EventPattern['detail-type']?.includes(detailType) &&
        rule.Properties.Targets.some((target) => target.Arn.Ref?.startsWith('Alarms')),
    );
  const [job] = toAlarms('SageMaker HyperParameter Tuning Job State Change');
  assert.ok(job, 'a rule on the tuning job state reaches the alarm topic');
  assert.deepEqual(job.Properties.EventPattern.detail, {
    HyperParameterTuningJobName: [{ prefix: TUNING_JOB_PREFIX }],
    HyperParameterTuningJobStatus: ['Failed', 'Stopped'],
  });
  const [trial] = toAlarms('SageMaker Training Job State Change');
  assert.ok(trial, 'a rule on the trials reaches the alarm topic');
  assert.deepEqual(trial.Properties.EventPattern.detail, {
    TrainingJobName: [{ prefix: TUNING_JOB_PREFIX }],
    TrainingJobStatus: ['Failed'],
  });
  for (const rule of [job, trial])
    assert.match(
      rule.Properties.Targets[0]!.InputTransformer!.InputTemplate,
      /FailureReason|<detail-FailureReason>/,
    );
});
