/**
 * Installs the versioned OpenSearch Dashboards saved objects (index patterns, visualizations, the
 * paper-trading dashboard) through the Dashboards import API, overwriting earlier versions.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import { splitUrlCredentials } from '../url-credentials.js';

export const SAVED_OBJECTS_FILE = new URL('./dashboards/alpha15.ndjson', import.meta.url);
/** The index prefix the saved objects are written with; another configured prefix is substituted. */
export const SAVED_OBJECTS_PREFIX = 'alpha15';

export class DashboardsImportError extends Alpha15Error {
  readonly code = 'DASHBOARDS_IMPORT';
}

const importResponseSchema = z.object({
  success: z.boolean(),
  successCount: z.number().int(),
  errors: z
    .array(
      z.object({ id: z.string(), type: z.string(), error: z.object({ type: z.string() }).loose() }).loose(),
    )
    .optional(),
});
export type DashboardsImportResult = z.infer<typeof importResponseSchema>;

export async function readSavedObjects(indexPrefix = SAVED_OBJECTS_PREFIX): Promise<string> {
  return savedObjectsWithPrefix(await readFile(SAVED_OBJECTS_FILE, 'utf8'), indexPrefix);
}

/** The saved objects' NDJSON with their index patterns moved to another index prefix. */
export function savedObjectsWithPrefix(ndjson: string, indexPrefix: string): string {
  return indexPrefix === SAVED_OBJECTS_PREFIX
    ? ndjson
    : ndjson.replaceAll(`${SAVED_OBJECTS_PREFIX}-`, `${indexPrefix}-`);
}

export async function importDashboards(options: {
  dashboardsUrl: string;
  indexPrefix?: string;
  headers?: Record<string, string>;
  /**
   * The security plugin's tenant to import into (`global`: every user sees the objects). Without it
   * the objects land in the importing user's current tenant, by default their private one.
   */
  tenant?: string;
  fetchImpl?: typeof fetch;
}): Promise<DashboardsImportResult> {
  const ndjson = await readSavedObjects(options.indexPrefix);
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'alpha15.ndjson');
  const { url: baseUrl, authorization } = splitUrlCredentials(options.dashboardsUrl);
  const url = `${baseUrl.replace(/\/+$/, '')}/api/saved_objects/_import?overwrite=true`;
  let response: Response;
  try {
    // Dashboards rejects state-changing API calls without its XSRF header
    response = await (options.fetchImpl ?? fetch)(url, {
      method: 'POST',
      body: form,
      headers: {
        'osd-xsrf': 'true',
        ...(authorization ? { authorization } : {}),
        ...(options.tenant === undefined ? {} : { securitytenant: options.tenant }),
        ...options.headers,
      },
    });
  } catch (error) {
    throw new DashboardsImportError(
      `cannot reach OpenSearch Dashboards at ${url}`,
      'check the Dashboards URL (e.g. http://localhost:5601)',
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new DashboardsImportError(
      `Dashboards answered ${response.status} to the import: ${text.slice(0, 300)}`,
      'check the URL and the credentials',
    );
  }
  const parsed = importResponseSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new DashboardsImportError(
      `unexpected import response: ${text.slice(0, 300)}`,
      'is the URL an OpenSearch Dashboards endpoint?',
    );
  if (!parsed.data.success) {
    const failed = (parsed.data.errors ?? [])
      .map((error) => `${error.type}/${error.id}: ${error.error.type}`)
      .join(', ');
    throw new DashboardsImportError(
      `Dashboards imported ${parsed.data.successCount} objects but rejected: ${failed}`,
      'see the Dashboards server log',
    );
  }
  return parsed.data;
}
