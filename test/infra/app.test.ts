import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp, cliEnvironment } from '../../infra/build-app.js';
import { CONTEXT_PREFIX, deploySettingsSchema } from '../../infra/settings.js';
import { REPO_ROOT } from '../support/shared-data.js';

/** cdk.json's context, as `cdk synth` passes it to the app. */
const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

let app: App;
let template: Template;

before(() => {
  // the app with cdk.json's defaults, in the environment `npx cdk synth` gives it offline (a region, no
  // account without credentials); bundling is skipped here: test/infra/bundles.test.ts runs the real
  // esbuild bundles and invokes them
  app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, cliEnvironment({ CDK_DEFAULT_REGION: 'us-east-1' }));
  template = Template.fromStack(stack);
});

test('cdk.json runs the app with tsx and its context defaults are the documented settings defaults', () => {
  assert.equal(cdkJson.app, 'npx tsx infra/app.ts');
  const defaults = deploySettingsSchema.parse({});
  for (const [name, value] of Object.entries(defaults)) {
    const contextValue = cdkJson.context[`${CONTEXT_PREFIX}${name}`];
    assert.notEqual(contextValue, undefined, `cdk.json documents ${CONTEXT_PREFIX}${name}`);
    assert.deepEqual(
      deploySettingsSchema.shape[name as keyof typeof defaults].parse(contextValue),
      value,
      name,
    );
  }
});

test('the whole app synthesises offline with zero unacknowledged cdk-nag findings', () => {
  const report = new AwsSolutionsChecks().validateScope(app);
  assert.deepEqual(
    report.violations.map((violation) => violation.ruleName),
    [],
  );
  // nine handlers, plus aws-cdk-lib's custom-resource framework, bucket-notification and SDK-call functions
  template.resourceCountIs('AWS::Lambda::Function', 12);
  template.resourceCountIs('AWS::OpenSearchService::Domain', 1);
  // the query side and the backfill: a catalog over the lake and the ledger, a workgroup, a distributed map
  template.resourceCountIs('AWS::Glue::Database', 1);
  template.resourceCountIs('AWS::Glue::Table', 3);
  template.resourceCountIs('AWS::Athena::WorkGroup', 1);
  template.hasResourceProperties('AWS::Glue::Table', {
    TableInput: Match.objectLike({
      Name: 'klines',
      Parameters: Match.objectLike({ 'projection.enabled': 'true' }),
      PartitionKeys: [
        { Name: 'symbol', Type: 'string' },
        { Name: 'month', Type: 'string' },
      ],
    }),
  });
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  assert.match(JSON.stringify(machine), /\\"Mode\\":\\"DISTRIBUTED\\"/);
});

test('the stack outputs what docs/aws.md and the LocalStack suite look up: the bucket, the functions and both dashboards', () => {
  const outputs = template.findOutputs('*');
  for (const name of [
    'BucketName',
    'TrainingRequestPrefix',
    'TuningRequestPrefix',
    'IngestFunctionName',
    'PaperTickFunctionName',
    'OpenSearchDashboardsUrl',
    'OpenSearchUrl',
    'OpenSearchOperatorRoleArn',
    'DashboardsUserPoolId',
    'CloudWatchDashboardUrl',
    'AlarmTopicArn',
    'BackfillStateMachineArn',
    'AthenaWorkGroup',
    'GlueDatabase',
  ]) {
    assert.ok(outputs[name], `output ${name}`);
  }
  assert.match(JSON.stringify(outputs.OpenSearchDashboardsUrl!.Value), /_dashboards/);
  assert.match(JSON.stringify(outputs.CloudWatchDashboardUrl!.Value), /region=us-east-1#dashboards/);
});

test('every acknowledged cdk-nag finding carries a written reason', () => {
  const reasons: string[] = [];
  const visit = (node: IConstruct) => {
    for (const entry of node.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        reasons.push(...Object.values(entry.data as Record<string, string>));
    }
    node.node.children.forEach(visit);
  };
  visit(app);
  assert.ok(reasons.length > 10);
  for (const reason of reasons)
    assert.ok(reason.length >= 30 && /\s/.test(reason), `reason too thin: "${reason}"`);
});

test('cdk-nag does report an insecure resource, so a clean report means something', () => {
  const probe = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  new s3.Bucket(new Stack(probe, 'Probe'), 'Open', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY,
  });
  const rules = new AwsSolutionsChecks()
    .validateScope(probe)
    .violations.map((violation) => violation.ruleName);
  assert.ok(rules.includes('AwsSolutions-S1') && rules.includes('AwsSolutions-S10'), rules.join(', '));
});

test('a destroy-on-delete deployment (test accounts) is as clean under cdk-nag, with or without a known account and region', () => {
  const environments = [
    cliEnvironment({}),
    cliEnvironment({ CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' }),
  ];
  for (const env of environments) {
    const destroyApp = new App({
      context: {
        ...cdkJson.context,
        'aws:cdk:bundling-stacks': [],
        [`${CONTEXT_PREFIX}removalPolicy`]: 'destroy',
      },
    });
    buildApp(destroyApp, env);
    const findings = new AwsSolutionsChecks()
      .validateScope(destroyApp)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.resourceLogicalId}`),
      );
    assert.deepEqual(findings, [], JSON.stringify(env));
  }
});

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

test('with the defaults no function reserves concurrency, so the first deploy fits a new account', () => {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  for (const [id, { Properties }] of Object.entries(functions))
    assert.equal(Properties.ReservedConcurrentExecutions, undefined, id);
  const reserved = new App({
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      [`${CONTEXT_PREFIX}reservedConcurrency`]: 'true',
    },
  });
  const reservedTemplate = Template.fromStack(buildApp(reserved, cliEnvironment({})));
  const reservations = Object.values(reservedTemplate.findResources('AWS::Lambda::Function') as Resources)
    .map(({ Properties }) => Properties.ReservedConcurrentExecutions)
    .filter((value) => value !== undefined);
  assert.deepEqual(
    reservations,
    [1, 1, 1, 1, 1],
    'the setting reserves one for each event-driven function (ingest, trigger, promotion, paper tick, ledger compaction)',
  );
});

test('every function EventBridge invokes has an on-failure queue, and an alarm on that queue notifies the topic', () => {
  const rules = template.findResources('AWS::Events::Rule') as Resources;
  const invokeConfigs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig') as Resources);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources);
  const lambdaTargets = Object.values(rules).flatMap(({ Properties }) =>
    (Properties.Targets as { Arn: { 'Fn::GetAtt'?: [string, string] } }[])
      .map((target) => target.Arn['Fn::GetAtt']?.[0])
      .filter(
        (id): id is string =>
          id !== undefined && template.toJSON().Resources[id].Type === 'AWS::Lambda::Function',
      ),
  );
  assert.equal(
    new Set(lambdaTargets).size,
    7,
    'ingest, the training and tuning triggers, promotion, the paper tick, ledger compaction and the runs indexer',
  );
  for (const functionId of new Set(lambdaTargets)) {
    const config = invokeConfigs.find(
      ({ Properties }) => (Properties.FunctionName as { Ref?: string }).Ref === functionId,
    );
    const destination = (
      config?.Properties.DestinationConfig as {
        OnFailure?: { Destination: { 'Fn::GetAtt': [string, string] } };
      }
    )?.OnFailure?.Destination['Fn::GetAtt'][0];
    assert.ok(destination, `${functionId} has an on-failure destination`);
    const alarm = alarms.find(
      ({ Properties }) =>
        Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(Properties.Dimensions).includes(`"${destination}"`),
    );
    assert.ok(alarm, `the failure queue of ${functionId} is alarmed`);
    assert.match(JSON.stringify(alarm.Properties.AlarmActions), /AlarmTopic/);
  }
});

test("ledger compaction's damaged-files alarm notifies the alarm topic and shows on the dashboard", () => {
  const [alarmId, alarm] = Object.entries(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'FilesDamaged' } }),
  )[0]!;
  assert.match(alarmId, /^LedgerCompactionFilesDamagedAlarm/);
  assert.match(JSON.stringify(alarm.Properties.AlarmActions), /ObservabilityAlarmTopic/);
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  assert.match(JSON.stringify(dashboard), new RegExp(alarmId));
});

test('a rule on SageMaker training-job state Failed or Stopped tells the alarm topic', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: Match.objectLike({
      source: ['aws.sagemaker'],
      detail: Match.objectLike({ TrainingJobStatus: ['Failed', 'Stopped'] }),
    }),
    Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('AlarmTopic') } })],
  });
});
