/**
 * Lambda: the OpenSearch setup custom resource (onEvent of the custom-resource provider framework, see
 * infra/observability.ts). Create and Update install everything again (every step is an idempotent PUT
 * or an overwriting import); Delete leaves the domain's data alone, the domain's own removal policy decides.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { parseEvent } from '../shared/events.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { installOpenSearchResources, OpenSearchSetupError } from './install.js';

const PHYSICAL_RESOURCE_ID = 'alpha15-opensearch-setup';

const customResourceEventSchema = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResourceProperties: z.looseObject({
    Endpoint: z.string().url(),
    AdminSecretArn: z.string().startsWith('arn:'),
    IndexPrefix: z.string().regex(/^[a-z0-9-]+$/),
    WriterRoleArns: z.array(z.string().startsWith('arn:')).default([]),
  }),
});

const adminSecretSchema = z.object({ username: z.string().min(1), password: z.string().min(8) });

const tools = createTools('opensearch-setup');
const secrets = new SecretsManagerClient({});

export const handler = wrapHandler(tools, async (event) => {
  const request = parseEvent(customResourceEventSchema, event, 'a CloudFormation custom resource event');
  if (request.RequestType === 'Delete') return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
  const properties = request.ResourceProperties;
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: properties.AdminSecretArn }));
  const admin = adminSecretSchema.safeParse(JSON.parse(secret.SecretString ?? '{}'));
  if (!admin.success)
    throw new OpenSearchSetupError(
      'the OpenSearch admin secret lacks username/password',
      'let CDK regenerate the secret',
    );
  const report = await installOpenSearchResources({
    endpoint: properties.Endpoint,
    username: admin.data.username,
    password: admin.data.password,
    indexPrefix: properties.IndexPrefix,
    writerRoleArns: properties.WriterRoleArns,
  });
  tools.logger.info('OpenSearch set up', { ...report });
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { DashboardObjects: report.dashboardObjects } };
});
