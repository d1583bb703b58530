/**
 * What the OpenSearch setup custom resource installs, over plain HTTPS with the internal admin user:
 * the index templates (before any document, so every number maps as double), the Dashboards saved
 * objects, and an OpenSearch role that may write only the telemetry indices, mapped to the IAM roles of
 * the writers (the paper-trading Lambda signs its requests with SigV4).
 */
import { sha256Hex } from '../../src/checksum.js';
import { Alpha15Error } from '../../src/errors.js';
import { importDashboards } from '../../src/telemetry/dashboards-import.js';
import { indexTemplates } from '../../src/telemetry/index-templates.js';

export class OpenSearchSetupError extends Alpha15Error {
  readonly code = 'OPEN_SEARCH_SETUP';
}

export interface InstallOptions {
  endpoint: string;
  username: string;
  password: string;
  indexPrefix: string;
  writerRoleArns: readonly string[];
  fetchImpl?: typeof fetch;
}

export interface InstallReport {
  templates: string[];
  dashboardObjects: number;
  writerRole: string;
}

export function writerRoleName(indexPrefix: string): string {
  return `${indexPrefix}_telemetry_writer`;
}

/** The saved objects go to the global tenant, which every Dashboards user sees. */
export const DASHBOARDS_TENANT = 'global';

/** The OpenSearch role the writers are mapped to: the telemetry indices and their templates only. */
export function writerRole(indexPrefix: string) {
  return {
    cluster_permissions: [
      'cluster_composite_ops',
      'indices:admin/index_template/get',
      'indices:admin/index_template/put',
    ],
    index_permissions: [
      {
        index_patterns: [`${indexPrefix}-*`],
        allowed_actions: ['crud', 'create_index', 'indices:admin/mapping/put'],
      },
    ],
  };
}

/**
 * Everything the setup installs, hashed: the custom resource carries it as a property, so CloudFormation
 * updates the resource (and the setup runs again) whenever the saved objects, the index templates and
 * their mappings, or the writer role change, and only then.
 */
export function setupContentHash(indexPrefix: string, savedObjectsNdjson: string): string {
  const content = JSON.stringify({
    savedObjects: savedObjectsNdjson,
    templates: indexTemplates(indexPrefix),
    writerRole: writerRole(indexPrefix),
    tenant: DASHBOARDS_TENANT,
  });
  return sha256Hex(new TextEncoder().encode(content));
}

export async function installOpenSearchResources(options: InstallOptions): Promise<InstallReport> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const base = options.endpoint.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetchImpl(`${base}${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new OpenSearchSetupError(
        `${method} ${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
        'check the domain status and the admin secret',
      );
    }
  };

  const templates = indexTemplates(options.indexPrefix);
  for (const template of templates) await call('PUT', `/_index_template/${template.name}`, template.body);

  const role = writerRoleName(options.indexPrefix);
  await call('PUT', `/_plugins/_security/api/roles/${role}`, writerRole(options.indexPrefix));
  await call('PUT', `/_plugins/_security/api/rolesmapping/${role}`, {
    backend_roles: [...options.writerRoleArns],
  });

  const imported = await importDashboards({
    dashboardsUrl: `${base}/_dashboards`,
    indexPrefix: options.indexPrefix,
    headers: { authorization },
    tenant: DASHBOARDS_TENANT,
    fetchImpl,
  });
  return {
    templates: templates.map((template) => template.name),
    dashboardObjects: imported.successCount,
    writerRole: role,
  };
}
