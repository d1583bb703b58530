import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Training, TRAINING_METRIC_DEFINITIONS } from '../../infra/training.js';
import {
  CHAMPION_KEY,
  CURATED_KLINES_PREFIX,
  MODEL_ID_IAM_GLOB,
  TRAINING_JOB_PREFIX,
} from '../../src/contracts/keys.js';
import { partitionKey } from '../../src/lake/layout.js';
import { formatMetricLine } from '../../src/contracts/metrics.js';
import { newModelId } from '../../src/model/artifacts.js';
import { trainingJobRecordKey } from '../../src/app/evaluate-and-promote.js';
import { newRunId, runIdIamPrefix, runKey } from '../../src/runs/run-record.js';
import {
  asList,
  assertJobTriggerGrants,
  constructStack,
  grantedObjectPrefixes,
  objectCreatedPattern,
  roleStatements,
  unscopedActions,
} from './support.js';

const { stack, lake } = constructStack();
const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'alpha15-training');
new Training(stack, 'Training', {
  bucket: lake.bucket,
  image: { imageUri: `${repository.repositoryUri}:latest`, repository },
  symbols: ['BTCUSDT', 'ETHUSDT'],
  instanceType: 'ml.g4dn.xlarge',
  volumeSizeGb: 30,
  maxRuntime: Duration.hours(4),
  maxWait: Duration.hours(8),
  retrainMinInterval: Duration.hours(24),
  minDays: 30,
  lookbackDays: 90,
  alarmTopic: new sns.Topic(stack, 'Alarms'),
});
const template = Template.fromStack(stack);

test('one request per ingestion run or backfill, or a training request, reaches the trigger; kline partitions do not', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: objectCreatedPattern(['requests/new-data/', 'requests/training/']),
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTrigger'), 'Arn'] },
        DeadLetterConfig: Match.anyValue(),
      }),
    ],
  });
  // a run rewrites one partition per symbol: were partitions a cause, one run would be 20 retrains
  const patterns = JSON.stringify(template.findResources('AWS::Events::Rule'));
  assert.ok(partitionKey('BTCUSDT', 0).startsWith(CURATED_KLINES_PREFIX));
  assert.ok(!patterns.includes(CURATED_KLINES_PREFIX), 'no rule listens to the kline partitions');
});

test('the end of an alpha15 training job invokes the trigger, which starts a retrain asked for meanwhile', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Training Job State Change'],
      detail: {
        TrainingJobName: [{ prefix: TRAINING_JOB_PREFIX }],
        TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
      },
    },
    Targets: [
      Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTrigger'), 'Arn'] } }),
    ],
  });
});

test('a spot quota SageMaker refuses raises one alarm naming the quota and its console page', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'TrainingQuotaExceeded',
    Namespace: 'Alpha15',
    Dimensions: [{ Name: 'service', Value: 'training-trigger' }],
    AlarmDescription: Match.stringLikeRegexp(
      '"ml.g4dn.xlarge for spot training job usage".*https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas',
    ),
  });
});

test('the trigger reserves no concurrency by default and configures a spot GPU job with checkpoints', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    ReservedConcurrentExecutions: Match.absent(),
    Environment: {
      Variables: Match.objectLike({
        INSTANCE_TYPE: 'ml.g4dn.xlarge',
        MAX_RUNTIME_SECONDS: String(4 * 3600),
        MAX_WAIT_SECONDS: String(8 * 3600),
        RETRAIN_MIN_INTERVAL_SECONDS: String(24 * 3600),
        TRAINING_MIN_DAYS: '30',
        CHECKPOINT_PREFIX: 'sagemaker/checkpoints/',
        METRIC_DEFINITIONS: JSON.stringify(TRAINING_METRIC_DEFINITIONS),
      }),
    },
  });
});

test('the trigger may start only alpha15 jobs and pass only the job role, to SageMaker only', () => {
  const statements = roleStatements(template, 'TrainingTriggerRole');
  assert.deepEqual(unscopedActions(statements), ['sagemaker:ListTrainingJobs']);
  const create = statements.find((statement) =>
    [statement.Action].flat().includes('sagemaker:CreateTrainingJob'),
  )!;
  assert.match(JSON.stringify(create.Resource), /training-job\/alpha15-\*/);
  assertJobTriggerGrants(statements, /TrainingJobRole/, [
    'curated/watermarks/*',
    'requests/pending/retrain.json',
    'requests/training/*',
  ]);
});

/** What the job may write, sorted: what it names itself, its SageMaker output and its checkpoints. */
const JOB_WRITABLE_PREFIXES = [
  `models/${MODEL_ID_IAM_GLOB}/*`,
  'models/training-jobs/a15tune-*',
  `models/training-jobs/${TRAINING_JOB_PREFIX}*`,
  `runs/${runIdIamPrefix('train')}*`,
  `runs/${runIdIamPrefix('tune-trial')}*`,
  'sagemaker/checkpoints/*',
  'sagemaker/output/*',
];

test('the training job reads the lake and the registry, and touches nothing else but its own outputs', () => {
  const statements = roleStatements(template, 'TrainingJobRole');
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), [
    'curated/*',
    'models/*',
    ...JOB_WRITABLE_PREFIXES,
  ]);
  assert.deepEqual(unscopedActions(statements).sort(), [
    'cloudwatch:PutMetricData',
    'ecr:GetAuthorizationToken',
  ]);
  const putMetric = statements.find((statement) => statement.Action === 'cloudwatch:PutMetricData')!;
  assert.deepEqual(putMetric.Condition, { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*'] } });
});

/** IAM's `*` and `?` as a regex over object keys. */
const iamGlob = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

test('the training job writes only under its own model id, job record and run record: never the champion pointer', () => {
  const statements = roleStatements(template, 'TrainingJobRole');
  const writes = statements.filter((statement) =>
    asList(statement.Action).some((action) => /^s3:(PutObject|DeleteObject|\*)/.test(action)),
  );
  const writable = grantedObjectPrefixes(writes, 'DataLakeBucket');
  assert.deepEqual(writable, JOB_WRITABLE_PREFIXES);
  const patterns = writable.map(iamGlob);
  for (const key of [
    CHAMPION_KEY,
    'models/champion-history/20260101T000000Z-20260101T000000Z-abc123.json',
    'models/promotions/alpha15-20260101T0000.json',
    'curated/klines/symbol=BTCUSDT/month=2026-01/klines.parquet',
    'paper/trades/2026-01-01T0000Z-BTCUSDT.json',
    'runs/20260101T000000Z-backtest-0123abcd.json',
    'runs/20260101T000000Z-simulate-0123abcd.json',
  ])
    assert.ok(!patterns.some((pattern) => pattern.test(key)), `the job could write ${key}`);
  const modelId = newModelId(Date.UTC(2026, 0, 1));
  assert.ok(
    patterns.some((pattern) => pattern.test(`models/${modelId}/weights.bin`)),
    modelId,
  );
  assert.ok(
    patterns.some((pattern) => pattern.test(trainingJobRecordKey(`${TRAINING_JOB_PREFIX}20260101T0000`))),
  );
  for (const kind of ['train', 'tune-trial'] as const)
    assert.ok(
      patterns.some((pattern) => pattern.test(runKey(newRunId(kind, Date.UTC(2026, 0, 1))))),
      kind,
    );
  // reading stays wide enough to compare with the champion on the same window
  assert.deepEqual(
    grantedObjectPrefixes(statements, 'DataLakeBucket').filter((prefix) => !writable.includes(prefix)),
    ['curated/*', 'models/*'],
  );
});

test('every metric definition parses the line the container prints for it', () => {
  for (const definition of TRAINING_METRIC_DEFINITIONS) {
    for (const value of [0.0123, -4.5e-7, 3]) {
      const line = formatMetricLine(definition.Name as never, value)!;
      const match = new RegExp(definition.Regex).exec(`2026-11-24T18:00:00Z ${line}`);
      assert.ok(match, `${definition.Name} does not parse "${line}"`);
      assert.equal(Number(match[1]), value);
    }
  }
  assert.equal(formatMetricLine('validation_ic', Number.NaN), undefined, 'NaN is never printed');
});

test('a wait shorter than the run time is refused (a SageMaker managed-spot rule)', () => {
  const { stack: other, lake: otherLake } = constructStack();
  const repo = ecr.Repository.fromRepositoryName(other, 'Repo', 'x');
  assert.throws(
    () =>
      new Training(other, 'Training', {
        bucket: otherLake.bucket,
        image: { imageUri: 'x', repository: repo },
        symbols: ['BTCUSDT'],
        instanceType: 'ml.g4dn.xlarge',
        volumeSizeGb: 30,
        maxRuntime: Duration.hours(4),
        maxWait: Duration.hours(1),
        retrainMinInterval: Duration.hours(1),
        minDays: 1,
        lookbackDays: 1,
        alarmTopic: new sns.Topic(other, 'Alarms'),
      }),
    /maxWait must be at least maxRuntime/,
  );
});

test('a failed or stopped alpha15 training job notifies the alarm topic with its reason, and the rule counts them', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Training Job State Change'],
      detail: { TrainingJobName: [{ prefix: 'alpha15-' }], TrainingJobStatus: ['Failed', 'Stopped'] },
    },
    Targets: [
      Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^Alarms') },
        InputTransformer: Match.objectLike({
          InputPathsMap: Match.objectLike({ 'detail-FailureReason': '$.detail.FailureReason' }),
        }),
      }),
    ],
  });
  const training = stack.node.findChild('Training') as Training;
  assert.equal(training.jobsFailedMetric.namespace, 'AWS/Events');
  assert.equal(training.jobsFailedMetric.metricName, 'TriggeredRules');
});

test('an undelivered event and a trigger that failed after its retries both land in one alarmed queue', () => {
  const training = stack.node.findChild('Training') as Training;
  const queueId = stack.getLogicalId(training.trigger.failureQueue!.node.defaultChild as never);
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: Match.stringLikeRegexp('^TrainingTrigger') },
    MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
  });
  template.hasResourceProperties('AWS::Events::Rule', {
    Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } } })],
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    Threshold: 1,
  });
});
