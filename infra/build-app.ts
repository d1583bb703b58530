/** Composes the CDK app: the alpha15 stack from context settings, with cdk-nag's AWS Solutions checks. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Alpha15Stack, acknowledgeStackFindings } from './alpha15-stack.js';
import { readDeploySettings } from './settings.js';

export const STACK_NAME = 'Alpha15';

export function buildApp(app: App): Alpha15Stack {
  const settings = readDeploySettings(app.node);
  const stack = new Alpha15Stack(app, STACK_NAME, {
    settings,
    description: 'alpha15: crypto 15-minute alpha research, retraining and paper trading',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  acknowledgeStackFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
