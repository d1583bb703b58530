import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { PaperTrading } from '../../infra/paper-trading.js';
import { LEDGER_QUARANTINE_METRIC, TICK_COMPLETED_METRIC } from '../../src/contracts/metrics.js';
import {
  constructStack,
  grantedObjectPrefixes,
  roleStatements,
  testObservability,
  unscopedActions,
} from './support.js';

const { stack, lake } = constructStack();
const observability = testObservability(stack, RemovalPolicy.DESTROY);
const paper = new PaperTrading(stack, 'PaperTrading', {
  bucket: lake.bucket,
  symbols: ['BTCUSDT', 'ETHUSDT'],
  schedule: events.Schedule.rate(Duration.minutes(1)),
  memorySizeMb: 2048,
  binanceBaseUrl: 'https://data-api.binance.vision',
  telemetry: { domain: observability.domain, indexPrefix: 'alpha15' },
});
observability.grantWrite(paper.handler);
const template = Template.fromStack(stack);
const tickFunction = Match.objectLike({ Description: Match.stringLikeRegexp('paper-trading tick') });

test('the paper tick runs every minute, reserves no concurrency by default, and finishes inside its minute', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(1 minute)',
    Targets: [
      Match.objectLike({
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }),
        DeadLetterConfig: Match.anyValue(),
      }),
    ],
  });
  const tick = Object.values(
    template.findResources('AWS::Lambda::Function', { Properties: tickFunction }),
  )[0] as {
    Properties: {
      ReservedConcurrentExecutions?: number;
      Timeout: number;
      Runtime: string;
    };
  };
  // a reservation would fail the first deploy on a new account (10 executions, 10 kept unreserved)
  assert.equal(tick.Properties.ReservedConcurrentExecutions, undefined);
  assert.ok(
    tick.Properties.Timeout < 60,
    `timeout ${tick.Properties.Timeout} s must stay under the 1-minute period`,
  );
  assert.equal(tick.Properties.Runtime, 'nodejs22.x');
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: Match.stringLikeRegexp('^PaperTradingTickFunction') },
    MaximumRetryAttempts: 0,
    DestinationConfig: {
      OnFailure: {
        Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PaperTradingTickFailures'), 'Arn'] },
      },
    },
  });
});

test('the reservedConcurrency setting reserves one execution for the tick', () => {
  const { stack: reserved, lake: reservedLake } = constructStack();
  new PaperTrading(reserved, 'PaperTrading', {
    bucket: reservedLake.bucket,
    symbols: ['BTCUSDT'],
    schedule: events.Schedule.rate(Duration.minutes(1)),
    memorySizeMb: 2048,
    binanceBaseUrl: 'https://data-api.binance.vision',
    reserveConcurrency: true,
  });
  Template.fromStack(reserved).hasResourceProperties('AWS::Lambda::Function', {
    ReservedConcurrentExecutions: 1,
  });
});

test('the tick reads Binance at the configured base URL through the config variable alpha15 paper reads', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        ALPHA15_BINANCE_BASE_URL: 'https://data-api.binance.vision',
        ALPHA15_BACKEND: 'wasm',
      }),
    },
  });
});

test('alarms fire on any tick error, on missed minutes (missing data counts, and it says it fires until a first champion) and on failed ticks', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'Errors',
    Namespace: 'AWS/Lambda',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Dimensions: [
      { Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^PaperTradingTickFunction') } },
    ],
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: TICK_COMPLETED_METRIC,
    Namespace: 'Alpha15',
    Dimensions: [{ Name: 'service', Value: 'paper-tick' }],
    Period: 300,
    Threshold: 4,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
    AlarmDescription: Match.stringLikeRegexp('until a first champion exists'),
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [
      {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PaperTradingTickFailures'), 'QueueName'] },
      },
    ],
  });
});

test('an alarm fires when a tick quarantines a corrupt ledger object', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: LEDGER_QUARANTINE_METRIC,
    Namespace: 'Alpha15',
    Dimensions: [{ Name: 'service', Value: 'paper-tick' }],
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
});

test('the tick reads models, writes its ledger, and writes only the telemetry indices', () => {
  const statements = roleStatements(template, 'PaperTradingTickRole');
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), ['models/*', 'paper/*']);
  assert.deepEqual(unscopedActions(statements), []);
  const write = JSON.stringify(
    statements.filter((statement) => [statement.Action].flat().includes('es:ESHttpPost')),
  );
  assert.match(write, /\/_bulk/);
  assert.match(write, /\/alpha15-\*/);
  assert.doesNotMatch(write, /"\/\*"/, 'no access to the whole domain');
});
