/**
 * docs/aws.md and docs/architecture.md against what they describe, so they cannot drift: every deploy
 * setting has a row in the context table, every stack output a row in the Outputs table, and the
 * replay server's endpoints are all named.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, cliEnvironment } from '../../infra/build-app.js';
import { deploySettingsSchema } from '../../infra/settings.js';
import { REPO_ROOT } from '../support/shared-data.js';

const awsDoc = readFileSync(path.join(REPO_ROOT, 'docs/aws.md'), 'utf8');
const architectureDoc = readFileSync(path.join(REPO_ROOT, 'docs/architecture.md'), 'utf8');
const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The backticked names in the first column of the markdown table whose header starts with `header`. */
function firstColumnNames(markdown: string, header: RegExp): Set<string> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => header.test(line));
  assert.ok(start >= 0, `a table headed ${header}`);
  const names = new Set<string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([^`]+)`/g)) names.add(match[1]!);
  }
  return names;
}

let outputs: string[];
let alarmCount: number;
before(() => {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, cliEnvironment({ CDK_DEFAULT_REGION: 'us-east-1' }));
  const template = Template.fromStack(stack);
  outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
  alarmCount = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length;
});

test('docs/aws.md has a context-table row for every deploy setting', () => {
  const documented = firstColumnNames(awsDoc, /^\| Context key/);
  const missing = Object.keys(deploySettingsSchema.shape).filter((name) => !documented.has(name));
  assert.deepEqual(missing, [], 'settings without a row in the context table');
});

test('docs/aws.md has an Outputs-table row for every stack output', () => {
  const documented = firstColumnNames(awsDoc, /^\| Output /);
  assert.deepEqual(
    outputs.filter((name) => !documented.has(name)),
    [],
    'outputs without a row in the Outputs table',
  );
});

test("docs/aws.md's cost table prices as many alarms as the stack has", () => {
  const costRow = awsDoc.split('\n').find((line) => line.startsWith('| CloudWatch '));
  assert.ok(costRow, 'a CloudWatch row in the cost table');
  assert.equal(Number(/(\d+) alarms ×/.exec(costRow)?.[1]), alarmCount, costRow);
});

test('docs/architecture.md names every endpoint the replay server serves', () => {
  const source = readFileSync(path.join(REPO_ROOT, 'src/market/replay-routes.ts'), 'utf8');
  const endpoints = [
    ...new Set([...source.matchAll(/'(\/api\/v3\/[A-Za-z/]+)'/g)].map((match) => match[1]!)),
  ];
  assert.ok(endpoints.length >= 4, endpoints.join(', '));
  const architectureEndpoints = endpoints.filter(
    (endpoint) => !architectureDoc.includes(endpoint.split('/').at(-1)!),
  );
  assert.deepEqual(architectureEndpoints, [], 'endpoints docs/architecture.md does not name');
});
