/**
 * What the OpenSearch setup custom resource installs, as the domain's master user (its own IAM role,
 * every request signed with SigV4 by the client it is given): the index templates (before any document,
 * so every number maps as double), the Dashboards saved objects, an OpenSearch role that may write
 * only the telemetry indices, mapped to the IAM roles of the writers, and a read-only Dashboards role,
 * mapped to the role Cognito gives signed-in Dashboards users, and, when the deployer names one, a
 * break-glass administrator mapped onto all_access. Replicas follow the node count (INDEX_REPLICAS).
 */
import type { Client } from '@opensearch-project/opensearch';
import { Alpha15Error } from '../errors.js';
import { checkImportResponse, savedObjectsImportRequest } from './dashboards-import.js';
import { INDEX_REPLICAS } from './index-templates.js';
import { describeOpenSearchError, putIndexTemplates } from './opensearch-sink.js';
import {
  ALL_ACCESS_ROLE,
  DASHBOARDS_TENANT,
  dashboardsReaderRole,
  dashboardsReaderRoleName,
  writerRole,
  writerRoleName,
} from './opensearch-setup-content.js';

export class OpenSearchSetupError extends Alpha15Error {
  readonly code = 'OPEN_SEARCH_SETUP';
}

export interface InstallOptions {
  /** Signs as the setup role, the domain's master user. */
  client: Client;
  indexPrefix: string;
  writerRoleArns: readonly string[];
  dashboardsReaderRoleArns: readonly string[];
  /** Break-glass administrators mapped onto all_access beside the master user (this function's role). */
  admins?: { masterRoleArn: string; adminRoleArns: readonly string[] };
}

export interface InstallReport {
  templates: string[];
  dashboardObjects: number;
  writerRole: string;
  dashboardsReaderRole: string;
  /** The IAM roles mapped onto all_access, when the setup maps it. */
  allAccess?: string[];
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

  const allAccess = options.admins && [options.admins.masterRoleArn, ...options.admins.adminRoleArns];
  // a PUT replaces the mapping: the master user stays in it, or the setup would lock itself out
  if (allAccess) await putRoleMapping(client, ALL_ACCESS_ROLE, allAccess);
  await failingAsSetup(() => settleExistingIndexReplicas(client, options.indexPrefix));

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
    ...(allAccess ? { allAccess } : {}),
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
  await putRoleMapping(client, name, iamRoleArns);
}

/** Maps a security-plugin role to exactly these IAM roles (backend roles). */
async function putRoleMapping(client: Client, name: string, iamRoleArns: readonly string[]): Promise<void> {
  await failingAsSetup(() =>
    client.transport.request({
      method: 'PUT',
      path: `/_plugins/_security/api/rolesmapping/${name}`,
      body: { backend_roles: [...iamRoleArns] },
    }),
  );
}

/**
 * Indices created before their template carried the replica setting (a deploy of an older version)
 * get it too, so an existing single-node domain turns green.
 */
async function settleExistingIndexReplicas(client: Client, indexPrefix: string): Promise<void> {
  await client.transport.request({
    method: 'PUT',
    path: `/${indexPrefix}-*/_settings`,
    body: { index: INDEX_REPLICAS },
  });
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
