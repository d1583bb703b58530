/**
 * The app as `cdk synth` builds it from cdk.json's context, bundling skipped (the rehearsal checks the
 * template; test/infra/bundles.test.ts runs the real bundles), synthesised once per test file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, cliEnvironment } from '../../../infra/build-app.js';
import { REPO_ROOT } from '../../support/shared-data.js';
import type { CfnTemplate } from './template.js';

export const REHEARSAL_REGION = 'us-east-1';
export const REHEARSAL_ACCOUNT = '123456789012';

export function synthesizeApp(): CfnTemplate {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, cliEnvironment({ CDK_DEFAULT_REGION: REHEARSAL_REGION }));
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

/** The one logical id that starts with a construct path, e.g. `PaperTradingTickRole`. */
export function logicalId(template: CfnTemplate, prefix: string, type: string): string {
  const ids = Object.entries(template.Resources)
    .filter(([id, resource]) => id.startsWith(prefix) && resource.Type === type)
    .map(([id]) => id);
  if (ids.length !== 1)
    throw new Error(`expected one ${type} named ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}
