import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { Backfill } from '../../infra/backfill.js';
import { constructStack, grantedObjectPrefixes, roleStatements, unscopedActions } from './support.js';

const { stack, lake } = constructStack();
new Backfill(stack, 'Backfill', {
  bucket: lake.bucket,
  maxConcurrency: 7,
  archiveBaseUrl: 'https://data.binance.vision',
});
const template = Template.fromStack(stack);

interface State {
  Type: string;
  ItemProcessor?: { ProcessorConfig: { Mode: string; ExecutionType: string }; States: Record<string, State> };
  MaxConcurrency?: number;
  ItemsPath?: string;
  ToleratedFailurePercentage?: number;
  ResultWriter?: { Resource: string; Arguments?: { Prefix: string }; Parameters?: { Prefix: string } };
  Retry?: { ErrorEquals: string[]; BackoffRate: number; MaxAttempts: number; JitterStrategy?: string }[];
  Next?: string;
  End?: boolean;
}

/** The state machine's definition, with the CloudFormation references rendered as placeholders. */
function definition(): { StartAt: string; States: Record<string, State> } {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  assert.equal(machines.length, 1);
  const join = (machines[0] as { Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } } })
    .Properties.DefinitionString['Fn::Join'];
  return JSON.parse(join[1].map((part) => (typeof part === 'string' ? part : 'REF')).join(join[0]));
}

test('the state machine fans out a DISTRIBUTED map over the items with bounded concurrency, tolerating every failure', () => {
  const { StartAt, States } = definition();
  const map = States[StartAt]!;
  assert.equal(map.Type, 'Map');
  assert.equal(map.ItemProcessor?.ProcessorConfig.Mode, 'DISTRIBUTED');
  assert.equal(map.ItemsPath, '$.items');
  assert.equal(map.MaxConcurrency, 7);
  assert.equal(map.ToleratedFailurePercentage, 100);
  assert.match(map.ResultWriter?.Resource ?? '', /^arn:[^:]+:states:::s3:putObject$/);
  assert.equal((map.ResultWriter?.Arguments ?? map.ResultWriter?.Parameters)?.Prefix, 'backfill/results/');
  // after the map, the watermarks of the run's symbols are settled
  const settle = States[map.Next!]!;
  assert.equal(settle.Type, 'Task');
  assert.equal(settle.End, true);
});

test('an item retries Lambda throttling and a download that kept failing, with jittered exponential backoff', () => {
  const { StartAt, States } = definition();
  const [itemState] = Object.values(States[StartAt]!.ItemProcessor!.States);
  const retries = itemState!.Retry!;
  const throttling = retries.find((retry) => retry.ErrorEquals.includes('Lambda.TooManyRequestsException'));
  const download = retries.find((retry) => retry.ErrorEquals.includes('ArchiveDownloadError'));
  for (const retry of [throttling, download]) {
    assert.ok(retry);
    assert.equal(retry.BackoffRate, 2);
    assert.equal(retry.JitterStrategy, 'FULL');
    assert.ok(retry.MaxAttempts >= 3);
  }
  // a missing month or a checksum mismatch is not worth retrying: it is recorded and the run goes on
  assert.ok(
    !retries.some((retry) => retry.ErrorEquals.some((error) => /NotFound|Checksum|States.ALL/.test(error))),
  );
});

test('the state machine is named for the CLI to find, traced and logs every event', () => {
  template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    StateMachineName: 'Test-backfill',
    TracingConfiguration: { Enabled: true },
    LoggingConfiguration: { Level: 'ALL' },
  });
});

test('the item Lambda may touch only the curated and raw prefixes, and knows the archive site', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: { ARCHIVE_BASE_URL: 'https://data.binance.vision' } },
    Timeout: 300,
  });
  const statements = roleStatements(template, 'BackfillItemRole');
  // it deletes only a watermark whose partitions are gone
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), [
    'curated/*',
    'curated/watermarks/*',
    'raw/*',
    'requests/new-data/*',
  ]);
  assert.deepEqual(unscopedActions(statements), []);
});
