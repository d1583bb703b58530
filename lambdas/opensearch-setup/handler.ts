/**
 * Lambda: the OpenSearch setup custom resource (onEvent of the custom-resource provider framework, see
 * infra/observability.ts). Its role is the domain's master user: every request is signed with it
 * (SigV4), no password exists. Create and Update install everything again (every step is an idempotent
 * PUT or an overwriting import); Delete leaves the domain's data alone, the domain's own removal policy
 * decides.
 */
import { z } from 'zod';
import { parseEvent } from '../shared/events.js';
import { signedOpenSearchClient } from '../../src/telemetry/signed-client.js';
import { createTools, wrapHandler } from '../shared/powertools.js';
import { installOpenSearchResources } from '../../src/telemetry/opensearch-install.js';

const PHYSICAL_RESOURCE_ID = 'alpha15-opensearch-setup';

const customResourceEventSchema = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResourceProperties: z.looseObject({
    Endpoint: z.string().url(),
    IndexPrefix: z.string().regex(/^[a-z0-9-]+$/),
    WriterRoleArns: z.array(z.string().startsWith('arn:')).default([]),
    DashboardsReaderRoleArns: z.array(z.string().startsWith('arn:')).default([]),
    MasterRoleArn: z.string().startsWith('arn:').optional(),
    AdminRoleArns: z.array(z.string().startsWith('arn:')).default([]),
  }),
});

const tools = createTools('opensearch-setup');

export const handler = wrapHandler(tools, async (event) => {
  const request = parseEvent(customResourceEventSchema, event, 'a CloudFormation custom resource event');
  if (request.RequestType === 'Delete') return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
  const properties = request.ResourceProperties;
  const report = await installOpenSearchResources({
    client: signedOpenSearchClient({ url: properties.Endpoint, requestTimeoutMs: 30_000 }),
    indexPrefix: properties.IndexPrefix,
    writerRoleArns: properties.WriterRoleArns,
    dashboardsReaderRoleArns: properties.DashboardsReaderRoleArns,
    admins: properties.MasterRoleArn
      ? { masterRoleArn: properties.MasterRoleArn, adminRoleArns: properties.AdminRoleArns }
      : undefined,
  });
  tools.logger.info('OpenSearch set up', { ...report });
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { DashboardObjects: report.dashboardObjects } };
});
