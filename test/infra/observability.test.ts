import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { readFileSync } from 'node:fs';
import { Observability } from '../../infra/observability.js';
import { setupContentHash } from '../../lambdas/opensearch-setup/install.js';
import { SAVED_OBJECTS_FILE } from '../../src/telemetry/dashboards-import.js';
import { PaperTrading } from '../../infra/paper-trading.js';
import { asList, constructStack, domainAccessPolicy, roleStatements } from './support.js';

const { stack, lake } = constructStack();
const observability = new Observability(stack, 'Observability', {
  instanceType: 't3.small.search',
  volumeSizeGb: 10,
  indexPrefix: 'alpha15',
  alarmEmail: 'ops@example.com',
  removalPolicy: RemovalPolicy.RETAIN,
});
const paper = new PaperTrading(stack, 'PaperTrading', {
  bucket: lake.bucket,
  symbols: ['BTCUSDT'],
  schedule: events.Schedule.rate(Duration.minutes(1)),
  memorySizeMb: 2048,
  binanceBaseUrl: 'https://data-api.binance.vision',
  telemetry: { domain: observability.domain, indexPrefix: 'alpha15' },
});
observability.grantWrite(paper.handler);
observability.monitor({ functions: [{ title: 'Paper tick', handler: paper.handler }], alarms: paper.alarms });
const template = Template.fromStack(stack);

test('the OpenSearch domain is small by default and secured: encryption at rest and in transit, HTTPS only, fine-grained access control', () => {
  template.hasResourceProperties('AWS::OpenSearchService::Domain', {
    ClusterConfig: Match.objectLike({
      InstanceCount: 1,
      InstanceType: 't3.small.search',
      DedicatedMasterEnabled: false,
    }),
    EBSOptions: Match.objectLike({ EBSEnabled: true, VolumeSize: 10, VolumeType: 'gp3' }),
    EncryptionAtRestOptions: { Enabled: true },
    NodeToNodeEncryptionOptions: { Enabled: true },
    DomainEndpointOptions: Match.objectLike({
      EnforceHTTPS: true,
      TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07',
    }),
    AdvancedSecurityOptions: Match.objectLike({
      Enabled: true,
      InternalUserDatabaseEnabled: true,
      MasterUserOptions: Match.objectLike({ MasterUserName: 'alpha15-admin' }),
    }),
    LogPublishingOptions: Match.objectLike({
      ES_APPLICATION_LOGS: Match.anyValue(),
      SEARCH_SLOW_LOGS: Match.anyValue(),
      INDEX_SLOW_LOGS: Match.anyValue(),
    }),
  });
});

test('the master password comes from a generated secret, never a literal in the template', () => {
  const domain = Object.values(template.findResources('AWS::OpenSearchService::Domain'))[0] as {
    Properties: { AdvancedSecurityOptions: { MasterUserOptions: { MasterUserPassword: unknown } } };
  };
  assert.match(
    JSON.stringify(domain.Properties.AdvancedSecurityOptions.MasterUserOptions.MasterUserPassword),
    /resolve:secretsmanager/,
  );
  template.hasResourceProperties('AWS::SecretsManager::Secret', {
    GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
  });
});

test('the setup custom resource installs templates and dashboards and maps the paper role as writer', () => {
  template.hasResourceProperties('Custom::Alpha15OpenSearchSetup', {
    Endpoint: Match.anyValue(),
    IndexPrefix: 'alpha15',
    WriterRoleArns: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^PaperTradingTickRole'), 'Arn'] }],
    ContentHash: setupContentHash('alpha15', readFileSync(SAVED_OBJECTS_FILE, 'utf8')),
  });
});

test('one grantWrite names the writer in the resource policy, gives it the same statement in its identity policy, and maps it as writer', () => {
  const tickRole = '<PaperTradingTickRole6E88EEEC.Arn>';
  const writerStatements = domainAccessPolicy(template).Statement.filter(
    (statement) => statement.Principal !== '*' && asList(statement.Principal?.AWS ?? []).includes(tickRole),
  );
  assert.equal(writerStatements.length, 1);
  const identity = roleStatements(template, 'PaperTradingTickRole').filter((statement) =>
    asList(statement.Action).includes('es:ESHttpPost'),
  );
  assert.equal(identity.length, 1);
  assert.deepEqual(asList(writerStatements[0]!.Action), asList(identity[0]!.Action));
  assert.deepEqual(
    asList(writerStatements[0]!.Resource),
    ['/_bulk', '/_index_template/alpha15-*', '/alpha15-*'].map(
      (path) => `<ObservabilityDomainC5AA4FCF.Arn>${path}`,
    ),
  );
  template.hasResourceProperties('Custom::Alpha15OpenSearchSetup', {
    WriterRoleArns: [{ 'Fn::GetAtt': ['PaperTradingTickRole6E88EEEC', 'Arn'] }],
  });
});

test('the setup runs again when the saved objects, the templates or their mappings change, and only then', () => {
  const ndjson = readFileSync(SAVED_OBJECTS_FILE, 'utf8');
  const hash = setupContentHash('alpha15', ndjson);
  assert.equal(setupContentHash('alpha15', ndjson), hash, 'an unchanged deploy leaves the resource alone');
  assert.notEqual(
    setupContentHash('alpha15', ndjson.replace('"title"', '"title" ')),
    hash,
    'an edited ndjson',
  );
  // the index prefix renames the templates, their index patterns and the writer role
  assert.notEqual(setupContentHash('desk7', ndjson), hash, 'other templates and mappings');
});

test('every alarm notifies the alarm topic, which has the configured subscriber', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
    Properties: { AlarmActions?: unknown[] };
  }[];
  assert.ok(alarms.length >= 5, 'paper-trading alarms plus the domain alarms');
  for (const alarm of alarms)
    assert.match(JSON.stringify(alarm.Properties.AlarmActions), /ObservabilityAlarmTopic/);
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: 'ops@example.com',
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ClusterStatus.red',
    Namespace: 'AWS/ES',
  });
});

test('the CloudWatch dashboard shows the alarms and the functions', () => {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
    Properties: { DashboardBody: unknown };
  };
  const body = JSON.stringify(dashboard.Properties.DashboardBody);
  assert.match(body, /Alarms/);
  assert.match(body, /Paper tick: invocations and errors/);
});
