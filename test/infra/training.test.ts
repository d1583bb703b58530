import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Training, TRAINING_METRIC_DEFINITIONS } from '../../infra/training.js';
import { CURATED_KLINES_PREFIX, partitionKey } from '../../src/lake/layout.js';
import { formatMetricLine } from '../../training-container/metric-lines.js';
import { constructStack, grantedObjectPrefixes, roleStatements, unscopedActions } from './support.js';

const { stack, lake } = constructStack();
const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'alpha15-training');
new Training(stack, 'Training', {
  bucket: lake.bucket,
  image: { imageUri: `${repository.repositoryUri}:latest`, repository },
  symbols: ['BTCUSDT', 'ETHUSDT'],
  instanceType: 'ml.g5.xlarge',
  volumeSizeGb: 30,
  maxRuntime: Duration.hours(4),
  maxWait: Duration.hours(8),
  retrainMinInterval: Duration.hours(24),
  lookbackDays: 90,
});
const template = Template.fromStack(stack);

test('new kline partitions or a training request in the bucket reach the trigger through EventBridge', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: Match.stringLikeRegexp('^DataLakeBucket') }] },
        object: { key: [{ prefix: CURATED_KLINES_PREFIX }, { prefix: 'requests/training/' }] },
      },
    },
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTrigger'), 'Arn'] },
        DeadLetterConfig: Match.anyValue(),
      }),
    ],
  });
  assert.ok(
    partitionKey('BTCUSDT', 0).startsWith(CURATED_KLINES_PREFIX),
    'the partitions ingestion writes match the rule',
  );
});

test('the trigger runs one invocation at a time and configures a spot GPU job with checkpoints', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    ReservedConcurrentExecutions: 1,
    Environment: {
      Variables: Match.objectLike({
        INSTANCE_TYPE: 'ml.g5.xlarge',
        MAX_RUNTIME_SECONDS: String(4 * 3600),
        MAX_WAIT_SECONDS: String(8 * 3600),
        RETRAIN_MIN_INTERVAL_SECONDS: String(24 * 3600),
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
  const passRole = statements.find((statement) => statement.Action === 'iam:PassRole')!;
  assert.deepEqual(passRole.Condition, {
    StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
  });
  assert.match(JSON.stringify(passRole.Resource), /TrainingJobRole/);
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), ['requests/training/*']);
});

test('the training job reads the lake and writes only models, output, checkpoints and its run record', () => {
  const statements = roleStatements(template, 'TrainingJobRole');
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), [
    'curated/*',
    'models/*',
    'runs/*',
    'sagemaker/checkpoints/*',
    'sagemaker/output/*',
  ]);
  assert.deepEqual(unscopedActions(statements).sort(), [
    'cloudwatch:PutMetricData',
    'ecr:GetAuthorizationToken',
  ]);
  const putMetric = statements.find((statement) => statement.Action === 'cloudwatch:PutMetricData')!;
  assert.deepEqual(putMetric.Condition, { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*'] } });
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
        instanceType: 'ml.g5.xlarge',
        volumeSizeGb: 30,
        maxRuntime: Duration.hours(4),
        maxWait: Duration.hours(1),
        retrainMinInterval: Duration.hours(1),
        lookbackDays: 1,
      }),
    /maxWait must be at least maxRuntime/,
  );
});
