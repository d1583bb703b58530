import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration, RemovalPolicy, type CfnElement } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { readFileSync } from 'node:fs';
import { Observability } from '../../infra/observability.js';
import { setupContentHash } from '../../src/telemetry/opensearch-setup-content.js';
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
    AdvancedSecurityOptions: Match.objectLike({ Enabled: true }),
    LogPublishingOptions: Match.objectLike({
      ES_APPLICATION_LOGS: Match.anyValue(),
      SEARCH_SLOW_LOGS: Match.anyValue(),
      INDEX_SLOW_LOGS: Match.anyValue(),
    }),
  });
});

/** A role's ARN as domainAccessPolicy renders the reference. */
const arnRef = (role: iam.IRole) => `<${stack.getLogicalId(role.node.defaultChild as CfnElement)}.Arn>`;
const SETUP_ROLE = arnRef(observability.setup.role);
const DASHBOARDS_USERS_ROLE = arnRef(observability.dashboardsAuth.authenticatedRole);
const TICK_ROLE = arnRef(paper.handler.role);
const OPERATOR_ROLE = arnRef(observability.operatorRole);

test("the access policy names no `*` principal, only the setup role, the Dashboards users' role and the writers (the tick, the operator role)", () => {
  const statements = domainAccessPolicy(template).Statement;
  const principals = statements.flatMap((statement) => {
    if (statement.Principal === undefined || statement.Principal === '*')
      assert.fail(`an anonymous principal: ${JSON.stringify(statement)}`);
    return asList(statement.Principal.AWS);
  });
  assert.ok(!principals.includes('*'), `no "*" among ${principals.join(', ')}`);
  assert.deepEqual(principals.sort(), [DASHBOARDS_USERS_ROLE, SETUP_ROLE, TICK_ROLE, OPERATOR_ROLE].sort());
  for (const statement of statements)
    for (const resource of asList(statement.Resource))
      assert.ok(
        resource.startsWith('<ObservabilityDomainC5AA4FCF.Arn>/'),
        `${resource} is inside the domain`,
      );
});

test("no password exists: the master user is the setup function's IAM role and the internal user database is off", () => {
  template.hasResourceProperties('AWS::OpenSearchService::Domain', {
    AdvancedSecurityOptions: {
      Enabled: true,
      InternalUserDatabaseEnabled: false,
      MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': ['ObservabilitySetupRole3FA8EBA9', 'Arn'] } },
    },
  });
  template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  // the setup function that role belongs to
  template.hasResourceProperties('AWS::Lambda::Function', {
    Role: { 'Fn::GetAtt': ['ObservabilitySetupRole3FA8EBA9', 'Arn'] },
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'opensearch-setup' }) },
  });
});

test('people reach Dashboards through Cognito: invited users only, MFA, and an identity pool whose role the setup maps to the reader role', () => {
  template.hasResourceProperties('AWS::OpenSearchService::Domain', {
    CognitoOptions: {
      Enabled: true,
      UserPoolId: { Ref: Match.stringLikeRegexp('^ObservabilityDashboardsAuthUsers') },
      IdentityPoolId: { Ref: Match.stringLikeRegexp('^ObservabilityDashboardsAuthIdentities') },
      RoleArn: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^ObservabilityDashboardsAuthOpenSearchCognitoRole'), 'Arn'],
      },
    },
  });
  template.hasResourceProperties('AWS::Cognito::UserPool', {
    AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
    MfaConfiguration: 'ON',
    EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
  });
  template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  template.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: false });
  template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
    Roles: {
      authenticated: { 'Fn::GetAtt': ['ObservabilityDashboardsAuthAuthenticatedRole3DAFB812', 'Arn'] },
    },
  });
  // only Cognito identities of this pool, signed in, can take the Dashboards users' role
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [
        Match.objectLike({
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Condition: {
            StringEquals: {
              'cognito-identity.amazonaws.com:aud': { Ref: Match.stringLikeRegexp('Identities') },
            },
            'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
          },
        }),
      ],
    },
  });
  template.hasResourceProperties('Custom::Alpha15OpenSearchSetup', {
    DashboardsReaderRoleArns: [
      { 'Fn::GetAtt': ['ObservabilityDashboardsAuthAuthenticatedRole3DAFB812', 'Arn'] },
    ],
  });
});

test('the setup custom resource installs templates and dashboards and maps the paper role as writer', () => {
  template.hasResourceProperties('Custom::Alpha15OpenSearchSetup', {
    Endpoint: Match.anyValue(),
    IndexPrefix: 'alpha15',
    WriterRoleArns: Match.arrayWith([
      { 'Fn::GetAtt': [Match.stringLikeRegexp('^PaperTradingTickRole'), 'Arn'] },
    ]),
    ContentHash: setupContentHash('alpha15', readFileSync(SAVED_OBJECTS_FILE, 'utf8')),
  });
});

test('one grantWrite names the writer in the resource policy, gives it the same statement in its identity policy, and maps it as writer', () => {
  const writerStatements = domainAccessPolicy(template).Statement.filter(
    (statement) => statement.Principal !== '*' && asList(statement.Principal?.AWS ?? []).includes(TICK_ROLE),
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
    WriterRoleArns: [
      { 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservabilityTelemetryOperatorRole'), 'Arn'] },
      { 'Fn::GetAtt': ['PaperTradingTickRole6E88EEEC', 'Arn'] },
    ],
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
