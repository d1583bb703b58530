import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { LedgerCompaction } from '../../infra/ledger-compaction.js';
import { LEDGER_FILES_DAMAGED_METRIC } from '../../src/contracts/metrics.js';
import { asList, constructStack, grantedObjectPrefixes, roleStatements, unscopedActions } from './support.js';

const { stack, lake } = constructStack();
new LedgerCompaction(stack, 'LedgerCompaction', {
  bucket: lake.bucket,
  schedule: events.Schedule.expression('cron(30 0 * * ? *)'),
  reserveConcurrency: true,
});
const template = Template.fromStack(stack);

test('ledger compaction runs daily, one run at a time when reserved, and a failed run is kept in its failure queue', () => {
  template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 0 * * ? *)' });
  template.resourceCountIs('AWS::SQS::Queue', 1);
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    ReservedConcurrentExecutions: 1,
  });
});

test('compaction reads the ledger and may write only the compacted days', () => {
  const statements = roleStatements(template, 'LedgerCompactionCompactRole');
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), ['paper/*', 'paper/curated/*']);
  const writes = statements.filter((statement) =>
    asList(statement.Action).some((action) => /Put|Delete/.test(action)),
  );
  assert.deepEqual(
    writes.flatMap((statement) => grantedObjectPrefixes([statement], 'DataLakeBucket')),
    ['paper/curated/*'],
  );
  assert.deepEqual(unscopedActions(statements), []);
});

test("an alarm fires on the first damaged file a compaction run reports (the Lambda's FilesDamaged)", () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: LEDGER_FILES_DAMAGED_METRIC,
    Namespace: 'Alpha15',
    Dimensions: [{ Name: 'service', Value: 'ledger-compaction' }],
    Statistic: 'Sum',
    Threshold: 1,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
});
