import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RunsIndexing } from '../../infra/runs-indexing.js';
import { RUNS_PREFIX } from '../../src/contracts/keys.js';
import { newRunId, runKey } from '../../src/runs/run-record.js';
import {
  asList,
  constructStack,
  domainAccessPolicy,
  grantedObjectPrefixes,
  objectCreatedPattern,
  roleStatements,
  testObservability,
  unscopedActions,
} from './support.js';

const { stack, lake } = constructStack();
const observability = testObservability(stack);
const indexing = new RunsIndexing(stack, 'RunsIndexing', {
  bucket: lake.bucket,
  telemetry: { domain: observability.domain, indexPrefix: 'alpha15' },
});
observability.grantWrite(indexing.handler);
const template = Template.fromStack(stack);
const queueId = stack.getLogicalId(indexing.handler.failureQueue!.node.defaultChild as never);

test('every run record written under runs/ reaches the indexer through EventBridge, undeliverable events its failure queue', () => {
  assert.ok(
    runKey(newRunId('train', Date.UTC(2026, 10, 24))).startsWith(RUNS_PREFIX),
    'records match the rule',
  );
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: objectCreatedPattern([RUNS_PREFIX]),
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunsIndexingIndexer'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      }),
    ],
  });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        STORE_URL: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^DataLakeBucket') }]] },
        INDEX_PREFIX: 'alpha15',
        OPENSEARCH_URL: Match.anyValue(),
      }),
    },
  });
});

test('an event the indexer failed on after two retries lands in its alarmed failure queue', () => {
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: Match.stringLikeRegexp('^RunsIndexingIndexer') },
    MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    Threshold: 1,
  });
});

test('the indexer reads runs/ and nothing else of the bucket, writes nothing to it, and may write the telemetry indices only', () => {
  const statements = roleStatements(template, 'RunsIndexingIndexerRole');
  assert.deepEqual(grantedObjectPrefixes(statements, 'DataLakeBucket'), ['runs/*']);
  const s3Actions = statements
    .flatMap((statement) => asList(statement.Action))
    .filter((a) => a.startsWith('s3:'));
  assert.ok(s3Actions.length > 0);
  assert.deepEqual(
    s3Actions.filter((action) => /^s3:(Put|Delete|Abort|\*)/.test(action)),
    [],
    'no write to the bucket',
  );
  assert.deepEqual(unscopedActions(statements), [], 'nothing on Resource "*"');

  // Observability.grantWrite: named in the domain's resource policy, the same statement as identity
  // policy, and mapped onto the OpenSearch writer role by the setup
  const indexerRole = stack.getLogicalId(indexing.handler.role.node.defaultChild as never);
  const writer = domainAccessPolicy(template).Statement.filter((statement) =>
    asList(statement.Principal === '*' ? [] : (statement.Principal?.AWS ?? [])).includes(
      `<${indexerRole}.Arn>`,
    ),
  );
  assert.equal(writer.length, 1);
  assert.deepEqual(
    asList(writer[0]!.Resource),
    ['/_bulk', '/_index_template/alpha15-*', '/alpha15-*'].map(
      (path) => `<${stack.getLogicalId(observability.domain.node.defaultChild as never)}.Arn>${path}`,
    ),
  );
  const esActions = statements
    .flatMap((statement) => asList(statement.Action))
    .filter((a) => a.startsWith('es:'));
  assert.deepEqual(esActions.sort(), asList(writer[0]!.Action).sort());
  template.hasResourceProperties('Custom::Alpha15OpenSearchSetup', {
    // beside the stack's operator role, which every Observability maps as writer
    WriterRoleArns: Match.arrayWith([{ 'Fn::GetAtt': [indexerRole, 'Arn'] }]),
  });
});
