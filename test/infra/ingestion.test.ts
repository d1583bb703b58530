import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
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

test('ingestion runs on its schedule on Node.js 22 with one run at a time', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(5 minutes)',
    State: 'ENABLED',
  });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    ReservedConcurrentExecutions: 1,
    Environment: {
      Variables: {
        SYMBOLS: 'BTCUSDT,ETHUSDT',
        LOOKBACK_MINUTES: '120',
        BINANCE_BASE_URL: 'https://data-api.binance.vision',
      },
    },
  });
});

test('ingestion may touch only the curated and raw prefixes of the bucket', () => {
  const statements = roleStatements(template, 'IngestionIngestRole');
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), ['curated/*', 'raw/*']);
  assert.deepEqual(unscopedActions(statements), []);
});
