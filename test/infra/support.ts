/**
 * A stack to put one construct in. Bundling is skipped here (`aws:cdk:bundling-stacks` empty: the
 * functions get placeholder code), so each construct test synthesises in a second; app.test.ts runs the
 * real esbuild bundling of every handler once.
 */
import assert from 'node:assert/strict';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataLake } from '../../infra/data-lake.js';
import { Observability } from '../../infra/observability.js';

export function constructStack(): { stack: Stack; lake: DataLake } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const lake = new DataLake(stack, 'DataLake', {
    rawRetentionDays: 365,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { stack, lake };
}

/** Every IAM policy statement of the template, flattened. */
export function policyStatements(
  template: Template,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement,
  );
}

/** The statements of the policies attached to one role (by logical id prefix of the role). */
export function roleStatements(
  template: Template,
  roleLogicalIdPrefix: string,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      ((policy as { Properties: { Roles: { Ref: string }[] } }).Properties.Roles ?? []).some((role) =>
        role.Ref?.startsWith(roleLogicalIdPrefix),
      ),
    )
    .flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement,
    );
}

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Resources rendered as strings (Fn::Join flattened), for prefix assertions. */
export function resourceStrings(resource: unknown): string[] {
  return asList(resource).map((entry) => JSON.stringify(entry));
}

/** Statements granting `Resource: "*"`, by their actions; the rest must be scoped to an ARN. */
export function unscopedActions(statements: ReturnType<typeof policyStatements>): string[] {
  return statements
    .filter((statement) => asList(statement.Resource).includes('*'))
    .flatMap((statement) => asList(statement.Action));
}

/** The S3 object prefixes a set of statements grants (`<bucket arn>/<prefix>*`), sorted. */
export function grantedObjectPrefixes(
  statements: ReturnType<typeof policyStatements>,
  bucketLogicalIdPrefix: string,
): string[] {
  const prefixes = new Set<string>();
  for (const statement of statements) {
    for (const resource of asList(statement.Resource)) {
      const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (!join) continue;
      const [first, suffix] = join[1] as [{ 'Fn::GetAtt'?: [string, string] }, string];
      if (first?.['Fn::GetAtt']?.[0]?.startsWith(bucketLogicalIdPrefix) && typeof suffix === 'string')
        prefixes.add(suffix.replace(/^\//, ''));
    }
  }
  return [...prefixes].sort();
}

/**
 * A SageMaker job trigger's grants (infra/sagemaker-job-trigger.ts): it passes only the job role, to
 * SageMaker only, and reads only its own request prefix of the lake.
 */
export function assertJobTriggerGrants(
  statements: ReturnType<typeof policyStatements>,
  jobRole: RegExp,
  /** Its request prefix, or every object pattern it is granted. */
  objects: string | string[],
): void {
  const passRole = statements.filter((statement) => asList(statement.Action).includes('iam:PassRole'));
  assert.equal(passRole.length, 1);
  assert.deepEqual(passRole[0]!.Condition, {
    StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
  });
  assert.match(JSON.stringify(passRole[0]!.Resource), jobRole);
  assert.deepEqual(
    grantedObjectPrefixes(statements, 'DataLakeBucket'),
    typeof objects === 'string' ? [`${objects}*`] : objects,
  );
}

export interface AccessPolicyStatement {
  Action: string | string[];
  Principal?: { AWS: string | string[] } | '*';
  Resource: string | string[];
}

/**
 * The OpenSearch domain's access policy, as the SDK call that sets it (aws-cdk-lib's
 * Custom::OpenSearchAccessPolicy) carries it, with every reference rendered as `<LogicalId.Attribute>`
 * or `<LogicalId>`.
 */
export function domainAccessPolicy(template: Template): { Statement: AccessPolicyStatement[] } {
  const resources = Object.values(template.findResources('Custom::OpenSearchAccessPolicy'));
  if (resources.length !== 1) throw new Error(`expected one access policy, found ${resources.length}`);
  const [, parts] = (resources[0] as { Properties: { Create: { 'Fn::Join': [string, unknown[]] } } })
    .Properties.Create['Fn::Join'];
  const call = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return `<${ref.Ref ?? ref['Fn::GetAtt']!.join('.')}>`;
    })
    .join('');
  return JSON.parse(
    (JSON.parse(call) as { parameters: { AccessPolicies: string } }).parameters.AccessPolicies,
  );
}

/** The observability construct at its defaults, for the constructs that write telemetry. */
export function testObservability(stack: Stack, removalPolicy = RemovalPolicy.RETAIN): Observability {
  return new Observability(stack, 'Observability', {
    instanceType: 't3.small.search',
    volumeSizeGb: 10,
    indexPrefix: 'alpha15',
    removalPolicy,
  });
}

/** The EventBridge pattern of objects created in the test lake under these prefixes (infra/object-created-rule.ts). */
export function objectCreatedPattern(prefixes: readonly string[]) {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: [{ Ref: Match.stringLikeRegexp('^DataLakeBucket') }] },
      object: { key: prefixes.map((prefix) => ({ prefix })) },
    },
  };
}
