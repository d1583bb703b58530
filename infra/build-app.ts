/** Composes the CDK app: the alpha15 stack from context settings, with cdk-nag's AWS Solutions checks. */
import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Alpha15Stack, acknowledgeStackFindings } from './alpha15-stack.js';
import { readDeploySettings } from './settings.js';

export const STACK_NAME = 'Alpha15';

/** The environment `cdk synth`/`cdk deploy` put in the variables: the region always, the account with credentials. */
export function cliEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION };
}

export function buildApp(app: App, env: Environment = cliEnvironment()): Alpha15Stack {
  const settings = readDeploySettings(app.node);
  const stack = new Alpha15Stack(app, STACK_NAME, {
    settings,
    description: 'alpha15: crypto 15-minute alpha research, retraining and paper trading',
    env,
  });
  acknowledgeStackFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
