/**
 * What the OpenSearch setup custom resource installs, as the domain's master user (its own IAM role,
 * every request signed with SigV4 by the client it is given): the index templates (before any document,
 * so every number maps as double), the Dashboards saved objects, an OpenSearch role that may write
 * only the telemetry indices, mapped to the IAM roles of the writers, and a read-only Dashboards role,
 * mapped to the role Cognito gives signed-in Dashboards users.
 */
import type { Client } from '@opensearch-project/opensearch';
import { Alpha15Error } from '../../src/errors.js';
import { checkImportResponse, savedObjectsImportRequest } from '../../src/telemetry/dashboards-import.js';
import { describeOpenSearchError, putIndexTemplates } from '../../src/telemetry/opensearch-sink.js';
import {
  DASHBOARDS_TENANT,
  dashboardsReaderRole,
  dashboardsReaderRoleName,
  writerRole,
  writerRoleName,
} from '../../src/telemetry/opensearch-setup-content.js';

export class OpenSearchSetupError extends Alpha15Error {
  readonly code = 'OPEN_SEARCH_SETUP';
}

export interface InstallOptions {
  /** Signs as the setup role, the domain's master user. */
  client: Client;
  indexPrefix: string;
  writerRoleArns: readonly string[];
  dashboardsReaderRoleArns: readonly string[];
}

export interface InstallReport {
  templates: string[];
  dashboardObjects: number;
  writerRole: string;
  dashboardsReaderRole: string;
}

export async function installOpenSearchResources(options: InstallOptions): Promise<InstallReport> {
  const { client } = options;
  const templates = await failingAsSetup(() => putIndexTemplates(client, options.indexPrefix));

  const writer = writerRoleName(options.indexPrefix);
  await putRoleMappedTo(client, writer, writerRole(options.indexPrefix), options.writerRoleArns);
  const reader = dashboardsReaderRoleName(options.indexPrefix);
  await putRoleMappedTo(
    client,
    reader,
    dashboardsReaderRole(options.indexPrefix),
    options.dashboardsReaderRoleArns,
  );

  const upload = await savedObjectsImportRequest({
    indexPrefix: options.indexPrefix,
    tenant: DASHBOARDS_TENANT,
  });
  const response = await failingAsSetup(() =>
    client.transport.request(
      {
        method: 'POST',
        path: `/_dashboards${upload.path}`,
        querystring: upload.querystring,
        body: Buffer.from(upload.body),
      },
      { headers: upload.headers },
    ),
  );
  const imported = checkImportResponse(response.body);
  return {
    templates,
    dashboardObjects: imported.successCount,
    writerRole: writer,
    dashboardsReaderRole: reader,
  };
}

/** Puts a security-plugin role and maps it to exactly these IAM roles (backend roles). */
async function putRoleMappedTo(
  client: Client,
  name: string,
  role: object,
  iamRoleArns: readonly string[],
): Promise<void> {
  await failingAsSetup(() =>
    client.transport.request({ method: 'PUT', path: `/_plugins/_security/api/roles/${name}`, body: role }),
  );
  await failingAsSetup(() =>
    client.transport.request({
      method: 'PUT',
      path: `/_plugins/_security/api/rolesmapping/${name}`,
      body: { backend_roles: [...iamRoleArns] },
    }),
  );
}

/** Runs one call; a refusal or an unreachable domain fails the deployment, naming the call. */
async function failingAsSetup<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new OpenSearchSetupError(
      describeOpenSearchError(error),
      'check the domain status, and that its access policy and master user name the setup role',
      { cause: error },
    );
  }
}
