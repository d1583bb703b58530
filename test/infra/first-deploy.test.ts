/**
 * What a first `cdk deploy` into a new account meets, checked on the synthesised template (cdk.json's
 * context, as `cdk synth` runs it; bundling skipped):
 *
 * - a failed first create, or a `cdk destroy`, never blocks the next deploy: the app is synthesised twice
 *   (two attempts, each a newly created stack) and no name left behind by the first is claimed again;
 * - the OpenSearch domain waits for what CreateDomain needs;
 * - the default backfill leaves the tick room on an account limited to 10 concurrent executions;
 * - failures notify someone, and a named break-glass role administers OpenSearch;
 * - docs/aws.md states the counts the template has (alarms, custom metrics, reserved concurrency).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, cliEnvironment } from '../../infra/build-app.js';
import { deploySettingsSchema } from '../../infra/settings.js';
import { DEFAULT_BINANCE_BASE_URL } from '../../src/config/defaults.js';
import * as contractMetrics from '../../src/contracts/metrics.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { domainAccessPolicy } from './support.js';

const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

function synthTemplate(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...cdkJson.context, ...context, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(buildApp(app, cliEnvironment({ CDK_DEFAULT_REGION: 'us-east-1' })));
}

function synth(context: Record<string, unknown> = {}): Record<string, Resource> {
  return synthTemplate(context).toJSON().Resources as Record<string, Resource>;
}

const resources = synth();
const byType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

/**
 * The property that names a resource in the account (its physical name). Absent from the template,
 * CloudFormation generates a name unique to the stack and the resource.
 */
const NAME_PROPERTIES: Record<string, (properties: Record<string, unknown>) => unknown> = {
  'AWS::S3::Bucket': (p) => p.BucketName,
  'AWS::OpenSearchService::Domain': (p) => p.DomainName,
  'AWS::Cognito::UserPool': (p) => p.UserPoolName,
  'AWS::Cognito::UserPoolDomain': (p) => p.Domain,
  'AWS::Cognito::IdentityPool': (p) => p.IdentityPoolName,
  'AWS::Athena::WorkGroup': (p) => p.Name,
  'AWS::Glue::Database': (p) => (p.DatabaseInput as { Name?: unknown } | undefined)?.Name,
  'AWS::Glue::Table': (p) => [p.DatabaseName, (p.TableInput as { Name?: unknown }).Name],
  'AWS::Logs::LogGroup': (p) => p.LogGroupName,
  'AWS::Logs::ResourcePolicy': (p) => p.PolicyName,
  'AWS::StepFunctions::StateMachine': (p) => p.StateMachineName,
  'AWS::CloudWatch::Dashboard': (p) => p.DashboardName,
  'AWS::CloudWatch::Alarm': (p) => p.AlarmName,
  'AWS::Lambda::Function': (p) => p.FunctionName,
  'AWS::IAM::Role': (p) => p.RoleName,
  'AWS::SQS::Queue': (p) => p.QueueName,
  'AWS::SNS::Topic': (p) => p.TopicName,
  'AWS::Events::Rule': (p) => p.Name,
};

/**
 * A resource's physical name in one deploy attempt, with the pseudo parameters that attempt resolves:
 * the account and region are the same in every attempt, the stack id is new for every created stack,
 * and a missing name is generated (unique) by CloudFormation.
 */
function physicalName(logicalId: string, resource: Resource, attempt: string): string | undefined {
  const named = NAME_PROPERTIES[resource.Type];
  if (!named) return undefined;
  const value = named(resource.Properties ?? {});
  if (value === undefined || (Array.isArray(value) && value.every((part) => part === undefined)))
    return `${logicalId}-generated-${attempt}`;
  return `${resource.Type}:${render(value, attempt)}`;
}

function render(value: unknown, attempt: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((part) => render(part, attempt)).join('/');
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) {
    const ref = intrinsic.Ref as string;
    if (ref === 'AWS::StackId')
      return `arn:aws:cloudformation:us-east-1:123456789012:stack/Alpha15/${attempt}-0000-4000-8000-000000000000`;
    if (ref === 'AWS::AccountId') return '123456789012';
    if (ref === 'AWS::Region') return 'us-east-1';
    if (ref === 'AWS::StackName') return 'Alpha15';
    // another resource's generated name or id
    return `${ref}-generated-${attempt}`;
  }
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(part, attempt)).join(separator);
  }
  if ('Fn::Split' in intrinsic) {
    const [separator, source] = intrinsic['Fn::Split'] as [string, unknown];
    return JSON.stringify(render(source, attempt).split(separator));
  }
  if ('Fn::Select' in intrinsic) {
    const [index, list] = intrinsic['Fn::Select'] as [number, unknown];
    return (JSON.parse(render(list, attempt)) as string[])[index]!;
  }
  throw new Error(`teach render() ${JSON.stringify(value)}`);
}

/** DeletionPolicy values that keep a resource when its stack is deleted. */
const KEPT_ON_DELETE = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);
/** ... and when a failed first create rolls back (RetainExceptOnCreate deletes it then). */
const KEPT_ON_ROLLBACK = new Set(['Retain', 'Snapshot']);

/** The physical names an attempt leaves in the account after it ends the given way. */
function leftBehind(template: Record<string, Resource>, attempt: string, kept: Set<string>): Set<string> {
  return new Set(
    Object.entries(template).flatMap(([id, resource]) =>
      kept.has(resource.DeletionPolicy ?? 'Delete') ? [physicalName(id, resource, attempt) ?? id] : [],
    ),
  );
}

/** Every physical name an attempt creates. */
function claimed(template: Record<string, Resource>, attempt: string): string[] {
  return Object.entries(template).flatMap(([id, resource]) => {
    const name = physicalName(id, resource, attempt);
    return name === undefined ? [] : [name];
  });
}

test('a failed first create, or a destroy, never blocks the next deploy: nothing the first attempt leaves behind has a name the second claims', () => {
  const retry = synth();
  for (const [ending, kept] of [
    ['a rolled-back first create', KEPT_ON_ROLLBACK],
    ['cdk destroy', KEPT_ON_DELETE],
  ] as const) {
    const left = leftBehind(resources, 'a1b2c3d4', kept);
    const clashes = claimed(retry, 'e5f6a7b8').filter((name) => left.has(name));
    assert.deepEqual(clashes, [], `after ${ending}, the next deploy would fail with "already exists"`);
  }
});

test('retention rules over the whole template: what a failed first create leaves is only the buckets, and whatever is kept has a generated or stack-unique name', () => {
  const rules = Object.entries(resources).flatMap(([id, resource]) => {
    const policy = resource.DeletionPolicy ?? 'Delete';
    const problems: string[] = [];
    // rule 1: a resource kept after the stack is gone is never named by a literal (or account-wide) name
    if (KEPT_ON_DELETE.has(policy)) {
      const first = physicalName(id, resource, 'a1b2c3d4');
      const second = physicalName(id, resource, 'e5f6a7b8');
      if (first !== undefined && first === second)
        problems.push(`${id} (${policy}) has the fixed name ${first}`);
      // rule 2: a replacement keeps the old resource too, the same way
      if (
        resource.UpdateReplacePolicy !== policy &&
        !(policy === 'RetainExceptOnCreate' && resource.UpdateReplacePolicy === 'Retain')
      )
        problems.push(`${id}: UpdateReplacePolicy ${String(resource.UpdateReplacePolicy)} beside ${policy}`);
    }
    // rule 3: a rolled-back create removes everything but the buckets (which may already hold objects)
    if (KEPT_ON_ROLLBACK.has(policy) && resource.Type !== 'AWS::S3::Bucket')
      problems.push(`${id} (${resource.Type}) would outlive a failed first create`);
    // rule 4: what a rollback deletes has no deletion protection that would stop it
    if (policy === 'RetainExceptOnCreate' && resource.Properties?.DeletionProtection === 'ACTIVE')
      problems.push(`${id} has deletion protection, so a rollback cannot delete it`);
    return problems;
  });
  assert.deepEqual(rules, []);
  // the three resources the review found left behind, now removed by a rollback and kept by destroy
  for (const type of ['AWS::OpenSearchService::Domain', 'AWS::Cognito::UserPool', 'AWS::Athena::WorkGroup'])
    assert.deepEqual(
      byType(type).map(([, resource]) => resource.DeletionPolicy),
      ['RetainExceptOnCreate'],
      type,
    );
  // with removalPolicy=destroy nothing is kept at all
  const destroyed = synth({ 'alpha15:removalPolicy': 'destroy' });
  assert.deepEqual(
    Object.entries(destroyed)
      .filter(([, resource]) => KEPT_ON_DELETE.has(resource.DeletionPolicy ?? 'Delete'))
      .map(([id]) => id),
    [],
  );
});

test('docs/aws.md tears down exactly what the template keeps', () => {
  const teardown = docsSection('## Tear down');
  const kept = Object.values(resources)
    .filter((resource) => KEPT_ON_DELETE.has(resource.DeletionPolicy ?? 'Delete'))
    .map((resource) => resource.Type)
    .sort();
  assert.deepEqual(kept, [
    'AWS::Athena::WorkGroup',
    'AWS::Cognito::UserPool',
    'AWS::OpenSearchService::Domain',
    'AWS::S3::Bucket',
    'AWS::S3::Bucket',
  ]);
  for (const command of [
    'aws s3api delete-objects',
    'aws s3 rb',
    'aws opensearch delete-domain',
    'aws cognito-idp delete-user-pool',
    'aws athena delete-work-group',
  ])
    assert.ok(teardown.includes(command), `the teardown section says how: ${command}`);
});

test('the OpenSearch domain waits for the Cognito login domain and the CloudWatch Logs resource policy', () => {
  const [[, domain]] = byType('AWS::OpenSearchService::Domain') as [[string, Resource]];
  const loginDomain = byType('AWS::Cognito::UserPoolDomain')[0]![0];
  const logsPolicy = byType('AWS::Logs::ResourcePolicy')[0]![0];
  assert.ok(domain.DependsOn?.includes(loginDomain), 'DependsOn the user pool domain');
  assert.ok(domain.DependsOn?.includes(logsPolicy), 'DependsOn the logs resource policy');
});

/** A new account's Lambda "Concurrent executions" quota (often 10: docs/aws.md). */
const NEW_ACCOUNT_CONCURRENCY = 10;

test('the default backfill leaves one execution for every other function on an account limited to 10', () => {
  const [[, machine]] = byType('AWS::StepFunctions::StateMachine') as [[string, Resource]];
  const definition = JSON.stringify(machine.Properties!.DefinitionString);
  const maxConcurrency = Number(/\\"MaxConcurrency\\":(\d+)/.exec(definition)?.[1]);
  assert.equal(maxConcurrency, deploySettingsSchema.parse({}).backfillConcurrency);
  // every alpha15 function but the backfill's own and the deploy-time setup may run meanwhile
  const others = handlerNames(resources).filter((name) => !['backfill', 'opensearch-setup'].includes(name));
  assert.ok(others.includes('paper-tick'));
  assert.ok(
    maxConcurrency + others.length <= NEW_ACCOUNT_CONCURRENCY,
    `${maxConcurrency} backfill items + ${others.length} other functions > ${NEW_ACCOUNT_CONCURRENCY}`,
  );
  assert.match(
    docsSection('### First-deploy checklist'),
    new RegExp(`backfillConcurrency\\W+\\(?default ${maxConcurrency}`),
  );
});

test('failed backfill items and failed, timed-out or aborted backfill executions raise alarms that notify the topic', () => {
  const alarms = byType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties!);
  const itemAlarm = alarms.find((alarm) =>
    JSON.stringify(alarm.Dimensions ?? []).includes('BackfillItemFunction'),
  );
  assert.ok(itemAlarm, 'an alarm on the backfill item function');
  assert.equal(itemAlarm.MetricName, 'Errors');
  const executionAlarm = alarms.find((alarm) =>
    JSON.stringify(alarm.Metrics ?? []).includes('ExecutionsFailed'),
  );
  assert.ok(executionAlarm, 'an alarm on failed executions');
  for (const metric of ['ExecutionsTimedOut', 'ExecutionsAborted'])
    assert.ok(JSON.stringify(executionAlarm.Metrics).includes(metric), metric);
  for (const alarm of [itemAlarm, executionAlarm])
    assert.match(JSON.stringify(alarm.AlarmActions), /ObservabilityAlarmTopic/);
});

test('a break-glass admin role named in context is admitted by the domain and mapped onto all_access beside the master user', () => {
  const admin = 'arn:aws:iam::123456789012:role/BreakGlassAdmin';
  assert.equal(
    deploySettingsSchema.parse({}).openSearchAdminRoleArn,
    '',
    'none unless the deployer names one',
  );
  const synthesized = synthTemplate({ 'alpha15:openSearchAdminRoleArn': admin });
  const template = synthesized.toJSON().Resources as Record<string, Resource>;
  const policy = domainAccessPolicy(synthesized);
  const adminStatement = policy.Statement.find((statement) =>
    JSON.stringify(statement.Principal).includes(admin),
  );
  assert.ok(adminStatement, 'the access policy names the admin role');
  assert.deepEqual(adminStatement.Action, 'es:ESHttp*');
  const setup = Object.values(template).find(
    (resource) => resource.Type === 'Custom::Alpha15OpenSearchSetup',
  )!;
  assert.deepEqual(setup.Properties!.AdminRoleArns, [admin]);
  assert.match(JSON.stringify(setup.Properties!.MasterRoleArn), /ObservabilitySetupRole/);
  assert.throws(
    () => synth({ 'alpha15:openSearchAdminRoleArn': 'BreakGlassAdmin' }),
    /openSearchAdminRoleArn/,
  );
  assert.match(docsSection('## Who can reach OpenSearch'), /openSearchAdminRoleArn/);
});

test('the stack reads market data from the endpoint that serves US regions by default', () => {
  assert.equal(deploySettingsSchema.parse({}).binanceBaseUrl, DEFAULT_BINANCE_BASE_URL);
  const tick = byType('AWS::Lambda::Function').find(([id]) => id.startsWith('PaperTradingTick'))!;
  assert.equal(
    (tick[1].Properties!.Environment as { Variables: Record<string, unknown> }).Variables
      .ALPHA15_BINANCE_BASE_URL,
    DEFAULT_BINANCE_BASE_URL,
  );
});

// --- the numbers docs/aws.md states, generated from the template and the handlers

function docs(): string {
  return readFileSync(path.join(REPO_ROOT, 'docs/aws.md'), 'utf8');
}

/** The text of a docs/aws.md section, from its heading to the next heading of the same level or higher. */
function docsSection(heading: string): string {
  const text = docs();
  const start = text.indexOf(`\n${heading}`);
  assert.ok(start >= 0, `docs/aws.md has a section ${heading}`);
  const level = heading.split(' ')[0]!;
  const rest = text.slice(start + heading.length + 1);
  const end = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The alpha15 handlers of a template (the framework's functions carry no service name). */
function handlerNames(template: Record<string, Resource>): string[] {
  return Object.values(template).flatMap((resource) => {
    if (resource.Type !== 'AWS::Lambda::Function') return [];
    const name = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables?.POWERTOOLS_SERVICE_NAME;
    return typeof name === 'string' ? [name] : [];
  });
}

/**
 * The custom metrics the shipped handlers emit: CloudWatch bills each (namespace, name, dimensions),
 * and Powertools gives every handler its own `service` dimension. Names are the literals passed to
 * `addMetric` in lambdas/<handler>/, or the contract constants they name.
 */
function customMetrics(): string[] {
  const constants = contractMetrics as unknown as Record<string, unknown>;
  const found = new Set<string>();
  for (const handler of readdirSync(path.join(REPO_ROOT, 'lambdas'))) {
    const dir = path.join(REPO_ROOT, 'lambdas', handler);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      for (const [, argument] of source.matchAll(/addMetric\(\s*([^,]+),/g)) {
        const names = [...argument!.matchAll(/'([A-Za-z]+)'/g)].map((match) => match[1]!);
        // a contract constant, or a choice between constants (`promoted ? A_METRIC : B_METRIC`)
        for (const [identifier] of argument!.matchAll(/\b[A-Z][A-Z0-9_]*_METRIC\b/g)) {
          const constant = constants[identifier];
          assert.ok(
            typeof constant === 'string',
            `${handler}/${file}: ${identifier} is not in contracts/metrics`,
          );
          names.push(constant);
        }
        assert.ok(names.length > 0, `${handler}/${file}: resolve the metric name ${argument}`);
        for (const name of names) found.add(`${handler}:${name}`);
      }
    }
  }
  return [...found].sort();
}

test('docs/aws.md states the alarm and custom metric counts of the template, so they cannot drift', () => {
  const alarms = byType('AWS::CloudWatch::Alarm').length;
  const metrics = customMetrics().length;
  const text = docs();
  const stated = [...text.matchAll(/(\d+) alarms\b/g)].map((match) => Number(match[1]));
  assert.ok(stated.length > 0, 'docs/aws.md states the alarm count');
  assert.deepEqual([...new Set(stated)], [alarms], `docs/aws.md: ${alarms} alarms`);
  const statedMetrics = [...text.matchAll(/(\d+) custom metrics\b/g)].map((match) => Number(match[1]));
  assert.ok(statedMetrics.length > 0, 'docs/aws.md states the custom metric count');
  assert.deepEqual([...new Set(statedMetrics)], [metrics], `docs/aws.md: ${metrics} custom metrics`);
});

test('docs/aws.md lists exactly the functions reservedConcurrency=true reserves an execution for', () => {
  const reserved = synth({ 'alpha15:reservedConcurrency': 'true' });
  const names = Object.values(reserved)
    .filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        resource.Properties?.ReservedConcurrentExecutions !== undefined,
    )
    .map(
      (resource) =>
        (resource.Properties!.Environment as { Variables: Record<string, string> }).Variables
          .POWERTOOLS_SERVICE_NAME,
    )
    .sort();
  const line = /reserves one execution for each of these (\w+) functions: ([^.]+)\./.exec(
    docs().replace(/\s+/g, ' '),
  );
  assert.ok(line, 'docs/aws.md lists the reserved functions');
  const listed = [...line[2]!.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]!).sort();
  assert.deepEqual(listed, names);
  const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  assert.equal(line[1], words[names.length]);
});

test('docs/aws.md warns that cdk deploy asks to approve the IAM changes, and how CI skips the prompt', () => {
  assert.ok(byType('AWS::IAM::Role').length > 0);
  const deploy = docsSection('## Deploy');
  assert.match(deploy, /Do you wish to deploy these changes \(y\/n\)\?/);
  assert.match(deploy, /--require-approval never/);
});
