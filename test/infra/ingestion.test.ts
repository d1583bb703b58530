import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { Ingestion } from '../../infra/ingestion.js';
import { constructStack, grantedObjectPrefixes, roleStatements, unscopedActions } from './support.js';

const { stack, lake } = constructStack();
new Ingestion(stack, 'Ingestion', {
  bucket: lake.bucket,
  symbols: ['BTCUSDT', 'ETHUSDT'],
  schedule: events.Schedule.expression('rate(5 minutes)'),
  lookbackMinutes: 120,
  binanceBaseUrl: 'https://data-api.binance.vision',
});
const template = Template.fromStack(stack);

test('ingestion runs on its schedule on Node.js 22, reserves no concurrency, and reads Binance through the config variable', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(5 minutes)',
    State: 'ENABLED',
  });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    ReservedConcurrentExecutions: Match.absent(),
    Environment: {
      Variables: Match.objectLike({
        SYMBOLS: 'BTCUSDT,ETHUSDT',
        LOOKBACK_MINUTES: '120',
        // the one variable every Lambda reads through loadConfig (the paper tick's too)
        ALPHA15_BINANCE_BASE_URL: 'https://data-api.binance.vision',
      }),
    },
  });
  const variables = JSON.stringify(template.findResources('AWS::Lambda::Function'));
  assert.doesNotMatch(variables, /"BINANCE_BASE_URL"/);
});

test('a failed ingestion run is not retried but kept in its alarmed failure queue', () => {
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    MaximumRetryAttempts: 0,
    DestinationConfig: {
      OnFailure: {
        Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionIngestFailures'), 'Arn'] },
      },
    },
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    AlarmDescription: Match.stringLikeRegexp('scheduled ingestion run'),
  });
});

test('ingestion may touch only the curated and raw prefixes of the bucket, and write its retrain request', () => {
  const statements = roleStatements(template, 'IngestionIngestRole');
  // it deletes only a watermark whose partitions are gone
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), [
    'curated/*',
    'curated/watermarks/*',
    'raw/*',
    'requests/new-data/*',
  ]);
  assert.deepEqual(unscopedActions(statements), []);
});
