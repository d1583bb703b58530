import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { HandlerName } from '../../infra/alpha15-function.js';
import { buildApp, cliEnvironment } from '../../infra/build-app.js';
import { BUNDLE_BUDGETS } from '../../infra/bundle-budgets.js';
import { CONTEXT_PREFIX, deploySettingsSchema } from '../../infra/settings.js';
import { REPO_ROOT } from '../support/shared-data.js';

/** cdk.json's context, as `cdk synth` passes it to the app. */
const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

let outdir: string;
let app: App;
let template: Template;

before(async () => {
  // the one real synthesis: every handler bundled by the local esbuild, cdk-nag run as a validation plugin,
  // in the environment `npx cdk synth` gives the app offline (a region, no account without credentials)
  outdir = await mkdtemp(path.join(tmpdir(), 'alpha15-cdk-'));
  app = new App({ outdir, context: cdkJson.context });
  const stack = buildApp(app, cliEnvironment({ CDK_DEFAULT_REGION: 'us-east-1' }));
  app.synth();
  template = Template.fromStack(stack);
});
after(() => rm(outdir, { recursive: true, force: true }));

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
  // six handlers, plus aws-cdk-lib's custom-resource framework, bucket-notification and SDK-call functions
  template.resourceCountIs('AWS::Lambda::Function', 9);
  template.resourceCountIs('AWS::OpenSearchService::Domain', 1);
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
    'OpenSearchAdminSecretArn',
    'CloudWatchDashboardUrl',
    'AlarmTopicArn',
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

test('each handler bundle stays within its size budget, and the paper tick carries the wasm binaries', async () => {
  const functions = template.findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties: { Code: { S3Key: string }; Environment?: { Variables?: Record<string, string> } } }
  >;
  const measured: Record<string, { codeBytes: number; totalBytes: number }> = {};
  for (const { Properties } of Object.values(functions)) {
    const handler = Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME as HandlerName | undefined;
    if (handler === undefined) continue; // the custom-resource framework function
    const assetDir = path.join(outdir, `asset.${Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    measured[handler] = {
      codeBytes: (await stat(path.join(assetDir, 'index.mjs'))).size,
      totalBytes: await directoryBytes(assetDir),
    };
    if (handler === 'paper-tick') {
      const wasmDir = path.join(assetDir, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
      assert.deepEqual((await readdir(wasmDir)).filter((name) => name.endsWith('.wasm')).sort(), [
        'tfjs-backend-wasm-simd.wasm',
        'tfjs-backend-wasm-threaded-simd.wasm',
        'tfjs-backend-wasm.wasm',
      ]);
    }
    if (handler === 'opensearch-setup') await stat(path.join(assetDir, 'dashboards/alpha15.ndjson'));
  }
  assert.deepEqual(Object.keys(measured).sort(), Object.keys(BUNDLE_BUDGETS).sort());
  for (const [handler, size] of Object.entries(measured)) {
    const budget = BUNDLE_BUDGETS[handler as HandlerName];
    assert.ok(
      size.codeBytes <= budget.codeBytes,
      `${handler}: index.mjs ${size.codeBytes} B > ${budget.codeBytes} B`,
    );
    assert.ok(
      size.totalBytes <= budget.totalBytes,
      `${handler}: asset ${size.totalBytes} B > ${budget.totalBytes} B`,
    );
  }
  process.stderr.write(`bundle sizes: ${JSON.stringify(measured)}\n`);
});

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
