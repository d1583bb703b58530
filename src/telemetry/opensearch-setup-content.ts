/**
 * What the OpenSearch setup installs besides the index templates and saved objects: the writer and
 * Dashboards reader roles and the tenant, and the hash of all of it. The setup Lambda
 * (src/telemetry/opensearch-install.ts) installs it; the stack (infra/observability.ts) carries the hash
 * on the custom resource, so it reads the same content without importing the Lambda.
 */
import { sha256Hex } from '../checksum.js';
import { indexTemplates } from './index-templates.js';

export function writerRoleName(indexPrefix: string): string {
  return `${indexPrefix}_telemetry_writer`;
}

export function dashboardsReaderRoleName(indexPrefix: string): string {
  return `${indexPrefix}_dashboards_reader`;
}

/** OpenSearch's built-in administrator role. */
export const ALL_ACCESS_ROLE = 'all_access';

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
 * The OpenSearch role Dashboards users are mapped to: read the telemetry indices and the saved objects
 * of the global tenant. Not all_access: people look at the dashboards; only the setup installs them.
 */
export function dashboardsReaderRole(indexPrefix: string) {
  return {
    cluster_permissions: ['cluster_composite_ops_ro'],
    index_permissions: [
      { index_patterns: [`${indexPrefix}-*`], allowed_actions: ['read', 'indices:admin/mappings/get'] },
    ],
    tenant_permissions: [{ tenant_patterns: ['global_tenant'], allowed_actions: ['kibana_all_read'] }],
  };
}

/**
 * Everything the setup installs, hashed: the custom resource carries it as a property, so CloudFormation
 * updates the resource (and the setup runs again) whenever the saved objects, the index templates and
 * their mappings, or the OpenSearch roles change, and only then.
 */
export function setupContentHash(indexPrefix: string, savedObjectsNdjson: string): string {
  const content = JSON.stringify({
    savedObjects: savedObjectsNdjson,
    templates: indexTemplates(indexPrefix),
    writerRole: writerRole(indexPrefix),
    dashboardsReaderRole: dashboardsReaderRole(indexPrefix),
    tenant: DASHBOARDS_TENANT,
  });
  return sha256Hex(new TextEncoder().encode(content));
}
